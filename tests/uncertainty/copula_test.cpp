// Gaussian copula: achieved rank correlations, exactness for the identity, and refused matrices naming their entry.
#include "uncertainty/copula.hpp"
#include "uncertainty/random_stream.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

using namespace impact::uncertainty;

namespace {

// Spearman's rank correlation of two samples without ties: Pearson's correlation of their ranks.
double spearman(const double* x, const double* y, std::size_t n) {
    const auto ranks = [n](const double* v) {
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [v](std::size_t a, std::size_t b) { return v[a] < v[b]; });
        std::vector<double> rank(n);
        for (std::size_t r = 0; r < n; ++r)
            rank[order[r]] = static_cast<double>(r);
        return rank;
    };
    const auto rx = ranks(x), ry = ranks(y);
    const double mean = (static_cast<double>(n) - 1.0) / 2.0;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    return sxy / std::sqrt(sxx * syy);
}

// n columns of `count` standard normals, column j from its own stream (column-major).
std::vector<double> independent_normals(std::size_t n, std::size_t count, uint64_t seed) {
    std::vector<double> z(n * count);
    for (std::size_t j = 0; j < n; ++j)
        standard_normals(seed, stream_id("step.input" + std::to_string(j)), 0,
                         std::span<double>(z).subspan(j * count, count));
    return z;
}

template <class Function>
CopulaError refusal(Function&& build) {
    try {
        build();
    } catch (const CopulaError& e) {
        return e;
    }
    FAIL("matrix accepted");
    return CopulaError("unreachable");
}

}  // namespace

TEST_CASE("a 3x3 Spearman matrix is achieved by 100,000 draws within 0.01", "[uncertainty][copula]") {
    const std::vector<double> target = {1.0, 0.6, -0.3,  //
                                        0.6, 1.0, 0.2,   //
                                        -0.3, 0.2, 1.0};
    const GaussianCopula copula(target, 3);
    REQUIRE(copula.size() == 3);
    // normal correlations 2 sin(pi rho_s / 6) (Pearson 1907; e.g. Kruskal 1958, eq. 5.5).
    for (std::size_t i = 0; i < 9; ++i) {
        CAPTURE(i);
        CHECK(copula.normal_correlation()[i] ==
              Approx(i % 4 == 0 ? 1.0 : 2.0 * std::sin(std::numbers::pi * target[i] / 6.0)).epsilon(1e-15));
    }
    // The factor reproduces the normal correlations: L L^T = C.
    const auto& l = copula.factor();
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double product = 0.0;
            for (std::size_t k = 0; k < 3; ++k)
                product += l[i * 3 + k] * l[j * 3 + k];
            CAPTURE(i, j, product);
            CHECK(std::fabs(product - copula.normal_correlation()[i * 3 + j]) < 1e-12);
        }

    constexpr std::size_t count = 100'000;
    const auto z = independent_normals(3, count, 99);
    std::vector<double> u(3 * count);
    copula.correlated_uniforms(z, count, u);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = i + 1; j < 3; ++j) {
            const double achieved = spearman(&u[i * count], &u[j * count], count);
            // Standard error of a rank correlation at n = 1e5 is under 1/sqrt(n) = 0.0032: 0.01 is 3 of them.
            CAPTURE(i, j, achieved, target[i * 3 + j]);
            CHECK(std::fabs(achieved - target[i * 3 + j]) < 0.01);
        }
    // Marginals stay uniform: mean 1/2 within 5 standard errors sqrt(1/12/n).
    for (std::size_t j = 0; j < 3; ++j) {
        const double mean = std::accumulate(u.begin() + j * count, u.begin() + (j + 1) * count, 0.0) / count;
        CAPTURE(j, mean);
        CHECK(std::fabs(mean - 0.5) < 5.0 * std::sqrt(1.0 / 12.0 / count));
    }
}

TEST_CASE("the identity matrix gives normal_cdf(z) exactly, and uncorrelated inputs keep their own stream",
          "[uncertainty][copula]") {
    constexpr std::size_t count = 4096;
    const auto z = independent_normals(3, count, 5);
    std::vector<double> u(3 * count);
    GaussianCopula(std::vector<double>{1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0}, 3).correlated_uniforms(z, count, u);
    for (std::size_t i = 0; i < u.size(); ++i)
        if (u[i] != normal_cdf(z[i])) {
            CAPTURE(i, z[i], u[i]);
            FAIL("identity copula changed a draw");
        }

    // Inputs 0 and 1 correlated, input 2 not: column 2 is exactly its own, and changing it leaves
    // columns 0 and 1 alone.
    const GaussianCopula blocks(std::vector<double>{1.0, 0.5, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0}, 3);
    blocks.correlated_uniforms(z, count, u);
    auto other = z;
    for (std::size_t k = 0; k < count; ++k)
        other[2 * count + k] = -other[2 * count + k];
    std::vector<double> u_other(3 * count);
    blocks.correlated_uniforms(other, count, u_other);
    for (std::size_t k = 0; k < count; ++k) {
        CAPTURE(k);
        REQUIRE(u[2 * count + k] == normal_cdf(z[2 * count + k]));
        REQUIRE(u[k] == u_other[k]);
        REQUIRE(u[count + k] == u_other[count + k]);
    }
}

TEST_CASE("a positive semi-definite singular matrix is accepted", "[uncertainty][copula]") {
    // Two perfectly correlated inputs: eigenvalues 2 and 0.
    const GaussianCopula copula(std::vector<double>{1.0, 1.0, 1.0, 1.0}, 2);
    CHECK(std::fabs(copula.smallest_eigenvalue()) < 1e-12);
    constexpr std::size_t count = 1000;
    const auto z = independent_normals(2, count, 3);
    std::vector<double> u(2 * count);
    copula.correlated_uniforms(z, count, u);
    for (std::size_t k = 0; k < count; ++k) {
        CAPTURE(k, u[k], u[count + k]);
        REQUIRE(std::fabs(u[k] - u[count + k]) < 1e-7);
    }
}

TEST_CASE("a matrix that is not positive semi-definite is refused with its smallest eigenvalue",
          "[uncertainty][copula]") {
    // a and b close, b and c close, but a and c opposite: impossible. With r = 2 sin(0.9 pi / 6) =
    // 0.9079809994790935, the matrix [[1, r, -r], [r, 1, r], [-r, r, 1]] has eigenvalues 1 + r (twice)
    // and 1 - 2r = -0.815961998958187.
    const CopulaError e = refusal([] { GaussianCopula(std::vector<double>{1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0}, 3); });
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(!e.names_entry);
    CHECK(message.find("not positive semi-definite (smallest eigenvalue -0.81596199895818") != std::string::npos);
}

TEST_CASE("asymmetric, off-diagonal, out-of-range and non-finite entries are refused by name", "[uncertainty][copula]") {
    struct Case {
        std::vector<double> matrix;
        std::size_t row, column;
        const char* words;
    };
    const Case cases[] = {
        {{1.0, 0.5, 0.0, 0.4, 1.0, 0.0, 0.0, 0.0, 1.0}, 0, 1, "symmetric"},
        {{1.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 1.0}, 1, 1, "1 on the diagonal"},
        {{1.0, 0.0, 1.5, 0.0, 1.0, 0.0, 1.5, 0.0, 1.0}, 0, 2, "within [-1, 1]"},
        {{1.0, 0.0, 0.0, 0.0, 1.0, -1.2, 0.0, -1.2, 1.0}, 1, 2, "within [-1, 1]"},
        {{1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, NAN, 1.0}, 2, 1, "within [-1, 1]"},
    };
    for (const Case& c : cases) {
        const CopulaError e = refusal([&] { GaussianCopula(c.matrix, 3); });
        const std::string message = e.what();
        CAPTURE(message, c.row, c.column);
        CHECK(e.names_entry);
        CHECK(e.row == c.row);
        CHECK(e.column == c.column);
        CHECK(message.find(c.words) != std::string::npos);
        CHECK(message.find("entry (" + std::to_string(c.row) + ", " + std::to_string(c.column) + ")") !=
              std::string::npos);
    }
    const CopulaError wrong_size = refusal([] { GaussianCopula(std::vector<double>{1.0, 0.0, 0.0}, 2); });
    CHECK(!wrong_size.names_entry);
    CHECK(std::string(wrong_size.what()) == "expected 4 correlations (2 x 2), found 3");
}
