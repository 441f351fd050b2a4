// ISO 4217 currencies: the project's one table of current codes, numeric codes and minor units.
//
// Header-only, C++17, standard library only, so that the host, the bundled plugins and
// third-party plugins check currency codes and minor units against the same list.
#ifndef IMPACT_SDK_CURRENCIES_HPP
#define IMPACT_SDK_CURRENCIES_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace impact::sdk {

// One current ISO 4217 currency.
struct CurrencyInfo {
    std::string_view code;  // alphabetic code, three upper-case letters: "KRW"
    uint16_t numeric;       // numeric code: 410 (written with leading zeros as "008" for ALL)
    uint8_t minor_units;    // decimal places of the minor unit: KRW 0, USD 2, BHD 3
    std::string_view name;  // the list's English name: "Won"
};

// Source: ISO 4217, Table A.1 "Current currency & funds code list" (List One), as maintained
// by SIX Financial Information AG for ISO (six-group.com, "Data Standards", list_one.xml).
// The list as amended through 2025: ZWG "Zimbabwe Gold" (924) added in June 2024; XCG
// "Caribbean Guilder" (532) replacing ANG in Curaçao and Sint Maarten on 31 March 2025; SLE
// replacing SLL; HRK withdrawn (Croatia, euro since 1 January 2023), and BGN left out since
// Bulgaria adopted the euro on 1 January 2026. Transcribed by hand on 29 November 2026 (no
// download is possible where this was written); numeric codes and names cross-checked with
// Debian's iso-codes 4.15 (/usr/share/iso-codes/json/iso_4217.json). Check the SIX list's
// "Published" date and its latest amendment when updating this table.
//
// Kept: every entry of List One that is a currency and has a defined minor unit, including
// the shared XAF, XOF, XPF, XCD and XCG. Left out: funds codes (BOV, CHE, CHW, CLF, COU, MXV,
// USN, UYI, UYW) and X-codes whose minor unit is "N.A." (XAU, XAG, XPD, XPT, XBA-XBD, XDR,
// XSU, XUA, XTS, XXX). Sorted by code, without duplicates (checked below).
inline constexpr std::array<CurrencyInfo, 156> iso4217_currencies{{
    {"AED", 784, 2, "UAE Dirham"},
    {"AFN", 971, 2, "Afghani"},
    {"ALL", 8, 2, "Lek"},
    {"AMD", 51, 2, "Armenian Dram"},
    {"AOA", 973, 2, "Kwanza"},
    {"ARS", 32, 2, "Argentine Peso"},
    {"AUD", 36, 2, "Australian Dollar"},
    {"AWG", 533, 2, "Aruban Florin"},
    {"AZN", 944, 2, "Azerbaijan Manat"},
    {"BAM", 977, 2, "Convertible Mark"},
    {"BBD", 52, 2, "Barbados Dollar"},
    {"BDT", 50, 2, "Taka"},
    {"BHD", 48, 3, "Bahraini Dinar"},
    {"BIF", 108, 0, "Burundi Franc"},
    {"BMD", 60, 2, "Bermudian Dollar"},
    {"BND", 96, 2, "Brunei Dollar"},
    {"BOB", 68, 2, "Boliviano"},
    {"BRL", 986, 2, "Brazilian Real"},
    {"BSD", 44, 2, "Bahamian Dollar"},
    {"BTN", 64, 2, "Ngultrum"},
    {"BWP", 72, 2, "Pula"},
    {"BYN", 933, 2, "Belarusian Ruble"},
    {"BZD", 84, 2, "Belize Dollar"},
    {"CAD", 124, 2, "Canadian Dollar"},
    {"CDF", 976, 2, "Congolese Franc"},
    {"CHF", 756, 2, "Swiss Franc"},
    {"CLP", 152, 0, "Chilean Peso"},
    {"CNY", 156, 2, "Yuan Renminbi"},
    {"COP", 170, 2, "Colombian Peso"},
    {"CRC", 188, 2, "Costa Rican Colon"},
    {"CUC", 931, 2, "Peso Convertible"},
    {"CUP", 192, 2, "Cuban Peso"},
    {"CVE", 132, 2, "Cabo Verde Escudo"},
    {"CZK", 203, 2, "Czech Koruna"},
    {"DJF", 262, 0, "Djibouti Franc"},
    {"DKK", 208, 2, "Danish Krone"},
    {"DOP", 214, 2, "Dominican Peso"},
    {"DZD", 12, 2, "Algerian Dinar"},
    {"EGP", 818, 2, "Egyptian Pound"},
    {"ERN", 232, 2, "Nakfa"},
    {"ETB", 230, 2, "Ethiopian Birr"},
    {"EUR", 978, 2, "Euro"},
    {"FJD", 242, 2, "Fiji Dollar"},
    {"FKP", 238, 2, "Falkland Islands Pound"},
    {"GBP", 826, 2, "Pound Sterling"},
    {"GEL", 981, 2, "Lari"},
    {"GHS", 936, 2, "Ghana Cedi"},
    {"GIP", 292, 2, "Gibraltar Pound"},
    {"GMD", 270, 2, "Dalasi"},
    {"GNF", 324, 0, "Guinean Franc"},
    {"GTQ", 320, 2, "Quetzal"},
    {"GYD", 328, 2, "Guyana Dollar"},
    {"HKD", 344, 2, "Hong Kong Dollar"},
    {"HNL", 340, 2, "Lempira"},
    {"HTG", 332, 2, "Gourde"},
    {"HUF", 348, 2, "Forint"},
    {"IDR", 360, 2, "Rupiah"},
    {"ILS", 376, 2, "New Israeli Sheqel"},
    {"INR", 356, 2, "Indian Rupee"},
    {"IQD", 368, 3, "Iraqi Dinar"},
    {"IRR", 364, 2, "Iranian Rial"},
    {"ISK", 352, 0, "Iceland Krona"},
    {"JMD", 388, 2, "Jamaican Dollar"},
    {"JOD", 400, 3, "Jordanian Dinar"},
    {"JPY", 392, 0, "Yen"},
    {"KES", 404, 2, "Kenyan Shilling"},
    {"KGS", 417, 2, "Som"},
    {"KHR", 116, 2, "Riel"},
    {"KMF", 174, 0, "Comorian Franc"},
    {"KPW", 408, 2, "North Korean Won"},
    {"KRW", 410, 0, "Won"},
    {"KWD", 414, 3, "Kuwaiti Dinar"},
    {"KYD", 136, 2, "Cayman Islands Dollar"},
    {"KZT", 398, 2, "Tenge"},
    {"LAK", 418, 2, "Lao Kip"},
    {"LBP", 422, 2, "Lebanese Pound"},
    {"LKR", 144, 2, "Sri Lanka Rupee"},
    {"LRD", 430, 2, "Liberian Dollar"},
    {"LSL", 426, 2, "Loti"},
    {"LYD", 434, 3, "Libyan Dinar"},
    {"MAD", 504, 2, "Moroccan Dirham"},
    {"MDL", 498, 2, "Moldovan Leu"},
    {"MGA", 969, 2, "Malagasy Ariary"},
    {"MKD", 807, 2, "Denar"},
    {"MMK", 104, 2, "Kyat"},
    {"MNT", 496, 2, "Tugrik"},
    {"MOP", 446, 2, "Pataca"},
    {"MRU", 929, 2, "Ouguiya"},
    {"MUR", 480, 2, "Mauritius Rupee"},
    {"MVR", 462, 2, "Rufiyaa"},
    {"MWK", 454, 2, "Malawi Kwacha"},
    {"MXN", 484, 2, "Mexican Peso"},
    {"MYR", 458, 2, "Malaysian Ringgit"},
    {"MZN", 943, 2, "Mozambique Metical"},
    {"NAD", 516, 2, "Namibia Dollar"},
    {"NGN", 566, 2, "Naira"},
    {"NIO", 558, 2, "Cordoba Oro"},
    {"NOK", 578, 2, "Norwegian Krone"},
    {"NPR", 524, 2, "Nepalese Rupee"},
    {"NZD", 554, 2, "New Zealand Dollar"},
    {"OMR", 512, 3, "Rial Omani"},
    {"PAB", 590, 2, "Balboa"},
    {"PEN", 604, 2, "Sol"},
    {"PGK", 598, 2, "Kina"},
    {"PHP", 608, 2, "Philippine Peso"},
    {"PKR", 586, 2, "Pakistan Rupee"},
    {"PLN", 985, 2, "Zloty"},
    {"PYG", 600, 0, "Guarani"},
    {"QAR", 634, 2, "Qatari Rial"},
    {"RON", 946, 2, "Romanian Leu"},
    {"RSD", 941, 2, "Serbian Dinar"},
    {"RUB", 643, 2, "Russian Ruble"},
    {"RWF", 646, 0, "Rwanda Franc"},
    {"SAR", 682, 2, "Saudi Riyal"},
    {"SBD", 90, 2, "Solomon Islands Dollar"},
    {"SCR", 690, 2, "Seychelles Rupee"},
    {"SDG", 938, 2, "Sudanese Pound"},
    {"SEK", 752, 2, "Swedish Krona"},
    {"SGD", 702, 2, "Singapore Dollar"},
    {"SHP", 654, 2, "Saint Helena Pound"},
    {"SLE", 925, 2, "Leone"},
    {"SOS", 706, 2, "Somali Shilling"},
    {"SRD", 968, 2, "Surinam Dollar"},
    {"SSP", 728, 2, "South Sudanese Pound"},
    {"STN", 930, 2, "Dobra"},
    {"SVC", 222, 2, "El Salvador Colon"},
    {"SYP", 760, 2, "Syrian Pound"},
    {"SZL", 748, 2, "Lilangeni"},
    {"THB", 764, 2, "Baht"},
    {"TJS", 972, 2, "Somoni"},
    {"TMT", 934, 2, "Turkmenistan New Manat"},
    {"TND", 788, 3, "Tunisian Dinar"},
    {"TOP", 776, 2, "Pa’anga"},
    {"TRY", 949, 2, "Turkish Lira"},
    {"TTD", 780, 2, "Trinidad and Tobago Dollar"},
    {"TWD", 901, 2, "New Taiwan Dollar"},
    {"TZS", 834, 2, "Tanzanian Shilling"},
    {"UAH", 980, 2, "Hryvnia"},
    {"UGX", 800, 0, "Uganda Shilling"},
    {"USD", 840, 2, "US Dollar"},
    {"UYU", 858, 2, "Peso Uruguayo"},
    {"UZS", 860, 2, "Uzbekistan Sum"},
    {"VED", 926, 2, "Bolívar Soberano"},
    {"VES", 928, 2, "Bolívar Soberano"},
    {"VND", 704, 0, "Dong"},
    {"VUV", 548, 0, "Vatu"},
    {"WST", 882, 2, "Tala"},
    {"XAF", 950, 0, "CFA Franc BEAC"},
    {"XCD", 951, 2, "East Caribbean Dollar"},
    {"XCG", 532, 2, "Caribbean Guilder"},
    {"XOF", 952, 0, "CFA Franc BCEAO"},
    {"XPF", 953, 0, "CFP Franc"},
    {"YER", 886, 2, "Yemeni Rial"},
    {"ZAR", 710, 2, "Rand"},
    {"ZMW", 967, 2, "Zambian Kwacha"},
    {"ZWG", 924, 2, "Zimbabwe Gold"},
}};

namespace detail {
constexpr bool currencies_sorted() noexcept {
    for (std::size_t i = 1; i < iso4217_currencies.size(); ++i)
        if (!(iso4217_currencies[i - 1].code < iso4217_currencies[i].code)) return false;
    return true;
}
}  // namespace detail
static_assert(detail::currencies_sorted(), "iso4217_currencies must stay sorted by code, without duplicates");

// The entry for a current ISO 4217 code ("KRW"), or nullptr. Case-sensitive: "krw" is not
// a code. Binary search, constexpr (usable in static_assert), thread-safe.
constexpr const CurrencyInfo* find_currency(std::string_view code) noexcept {
    std::size_t first = 0, count = iso4217_currencies.size();
    while (count > 0) {  // std::lower_bound, written out because it is constexpr only from C++20
        const std::size_t half = count / 2;
        if (iso4217_currencies[first + half].code < code) {
            first += half + 1;
            count -= half + 1;
        } else {
            count = half;
        }
    }
    return first < iso4217_currencies.size() && iso4217_currencies[first].code == code ? &iso4217_currencies[first]
                                                                                         : nullptr;
}

// True for a current ISO 4217 code ("KRW"); false for "krw", "ABC", the withdrawn "DEM" or
// the market convention "CNH".
constexpr bool is_iso4217_currency(std::string_view code) noexcept { return find_currency(code) != nullptr; }

// The one message for a code that is not current ISO 4217, so that every model refuses it alike.
inline std::string unknown_currency_message(std::string_view code) {
    return "unknown currency code '" + std::string(code) +
           "'; expected a current ISO 4217 code such as USD, EUR, KRW or JPY (" +
           std::to_string(iso4217_currencies.size()) + " codes are known; codes are upper-case)";
}

}  // namespace impact::sdk

#endif  // IMPACT_SDK_CURRENCIES_HPP
