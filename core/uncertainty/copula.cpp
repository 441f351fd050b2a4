// Gaussian copula: checks the Spearman matrix, converts it, factors it by Jacobi eigen-decomposition.
#include "uncertainty/copula.hpp"

#include "uncertainty/random_stream.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>

namespace impact::uncertainty {

namespace {

constexpr double symmetry_tolerance = 1e-12;
constexpr double diagonal_tolerance = 1e-12;
constexpr double eigenvalue_tolerance = 1e-10;
constexpr int max_jacobi_sweeps = 100;

std::string number_text(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string entry_text(std::size_t row, std::size_t column) {
    return "entry (" + std::to_string(row) + ", " + std::to_string(column) + ")";
}

// Cyclic Jacobi: diagonalises the symmetric n x n row-major `a` in place (its diagonal becomes the
// eigenvalues) and returns V, row-major, with original a = V diag V^T. Rotations are applied only
// to non-zero off-diagonal entries, so blocks of uncorrelated inputs never mix.
std::vector<double> jacobi_eigen(std::vector<double>& a, std::size_t n) {
    std::vector<double> v(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        v[i * n + i] = 1.0;
    for (int sweep = 0; sweep < max_jacobi_sweeps; ++sweep) {
        double off_diagonal = 0.0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q)
                off_diagonal += a[p * n + q] * a[p * n + q];
        if (off_diagonal < 1e-300)
            break;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) {
                const double apq = a[p * n + q];
                if (apq == 0.0)
                    continue;
                // The rotation angle that zeroes a[p][q]: t = tan(angle), the smaller root of
                // t^2 + 2 theta t - 1 = 0, for stability.
                const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                const double t = (theta >= 0.0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (std::size_t k = 0; k < n; ++k) {  // a J
                    const double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < n; ++k) {  // J^T (a J)
                    const double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                a[p * n + q] = a[q * n + p] = 0.0;
                for (std::size_t k = 0; k < n; ++k) {  // V J
                    const double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    return v;
}

}  // namespace

CopulaError::CopulaError(const std::string& message) : std::runtime_error(message) {}

CopulaError::CopulaError(const std::string& message, std::size_t row_index, std::size_t column_index)
    : std::runtime_error(message), row(row_index), column(column_index), names_entry(true) {}

GaussianCopula::GaussianCopula(std::span<const double> spearman, std::size_t n) : n_(n) {
    if (spearman.size() != n * n)
        throw CopulaError("expected " + std::to_string(n * n) + " correlations (" + std::to_string(n) + " x " +
                          std::to_string(n) + "), found " + std::to_string(spearman.size()));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const double value = spearman[i * n + j];
            if (!std::isfinite(value) || value < -1.0 || value > 1.0)
                throw CopulaError(
                    "expected a correlation within [-1, 1] at " + entry_text(i, j) + ", found " + number_text(value),
                    i, j);
            if (i == j && std::fabs(value - 1.0) > diagonal_tolerance)
                throw CopulaError("expected 1 on the diagonal at " + entry_text(i, j) + ", found " + number_text(value),
                                  i, j);
            if (j > i && std::fabs(value - spearman[j * n + i]) > symmetry_tolerance)
                throw CopulaError("expected a symmetric matrix, found " + number_text(value) + " at " +
                                      entry_text(i, j) + " but " + number_text(spearman[j * n + i]) + " at " +
                                      entry_text(j, i),
                                  i, j);
        }

    normal_correlation_.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            // Symmetrised, so that the factor does not depend on which triangle was typed last.
            const double rank = 0.5 * (spearman[i * n + j] + spearman[j * n + i]);
            normal_correlation_[i * n + j] = i == j ? 1.0 : 2.0 * std::sin(std::numbers::pi * rank / 6.0);
        }

    std::vector<double> diagonalised = normal_correlation_;
    const std::vector<double> vectors = jacobi_eigen(diagonalised, n);
    for (std::size_t i = 0; i < n; ++i)
        smallest_eigenvalue_ = std::min(smallest_eigenvalue_, diagonalised[i * n + i]);
    if (n > 0 && smallest_eigenvalue_ < -eigenvalue_tolerance)
        throw CopulaError("expected a correlation matrix whose normal correlations are positive semi-definite, found "
                          "one that is not positive semi-definite (smallest eigenvalue " +
                          number_text(smallest_eigenvalue_) + ")");

    factor_.assign(n * n, 0.0);
    nonzero_columns_.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
        double norm_squared = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            const double entry = vectors[j * n + k] * std::sqrt(std::max(diagonalised[k * n + k], 0.0));
            factor_[j * n + k] = entry;
            norm_squared += entry * entry;
        }
        const double norm = std::sqrt(norm_squared);
        for (std::size_t k = 0; k < n; ++k) {
            factor_[j * n + k] /= norm;
            if (factor_[j * n + k] != 0.0)
                nonzero_columns_[j].push_back(k);
        }
    }
}

std::size_t GaussianCopula::size() const noexcept { return n_; }

const std::vector<double>& GaussianCopula::normal_correlation() const noexcept { return normal_correlation_; }

const std::vector<double>& GaussianCopula::factor() const noexcept { return factor_; }

double GaussianCopula::smallest_eigenvalue() const noexcept { return smallest_eigenvalue_; }

void GaussianCopula::correlated_uniforms(std::span<const double> z, std::size_t count, std::span<double> u) const {
    if (z.size() < n_ * count || u.size() < n_ * count)
        throw std::invalid_argument("GaussianCopula::correlated_uniforms: expected " + std::to_string(n_ * count) +
                                    " normals and uniforms, found " + std::to_string(z.size()) + " and " +
                                    std::to_string(u.size()));
    for (std::size_t j = 0; j < n_; ++j) {
        double* const out = u.data() + j * count;
        std::fill(out, out + count, 0.0);
        for (const std::size_t i : nonzero_columns_[j]) {
            const double weight = factor_[j * n_ + i];
            const double* const in = z.data() + i * count;
            for (std::size_t k = 0; k < count; ++k)
                out[k] += weight * in[k];
        }
        for (std::size_t k = 0; k < count; ++k)
            out[k] = normal_cdf(out[k]);
    }
}

}  // namespace impact::uncertainty
