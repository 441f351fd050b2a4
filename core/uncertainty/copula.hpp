// Gaussian copula: Spearman rank correlations between inputs turned into correlated uniforms.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace impact::uncertainty {

// A correlation matrix that cannot be used. When one entry is to blame, names_entry is true and
// (row, column) are its 0-based indices (the caller maps them to input names); otherwise the
// matrix as a whole is at fault (wrong size, not positive semi-definite). what() is one sentence.
struct CopulaError : std::runtime_error {
    std::size_t row = 0, column = 0;
    bool names_entry = false;
    explicit CopulaError(const std::string& message);
    CopulaError(const std::string& message, std::size_t row, std::size_t column);
};

class GaussianCopula {
public:
    // spearman: n x n row-major Spearman rank correlations, symmetric (entries (i, j) and (j, i)
    // within 1e-12), unit diagonal (within 1e-12), every entry finite and in [-1, 1]; otherwise
    // CopulaError naming the entry. The rank correlations become normal correlations
    // rho = 2 sin(pi rho_s / 6) (Pearson 1907; exact for the Gaussian copula). That matrix is
    // factored by a cyclic Jacobi eigen-decomposition C = V diag(lambda) V^T: every eigenvalue
    // must be >= -1e-10 (absolute; a correlation matrix's eigenvalues sum to n), else
    // CopulaError "... not positive semi-definite (smallest eigenvalue -0.12)". A positive
    // semi-definite but singular matrix (perfectly correlated inputs) is accepted. The factor is
    // L = V diag(sqrt(max(lambda, 0))), each row then scaled to unit length so that every input's
    // normal keeps variance exactly 1, and L L^T = C to about 1e-12.
    // Entries that are exactly 0 stay exactly 0 in L, and the identity matrix gives L = I exactly.
    explicit GaussianCopula(std::span<const double> spearman, std::size_t n);

    std::size_t size() const noexcept;
    // n x n row-major normal (Pearson) correlations, 2 sin(pi rho_s / 6) with the diagonal 1.
    const std::vector<double>& normal_correlation() const noexcept;
    // n x n row-major factor L described above.
    const std::vector<double>& factor() const noexcept;
    // The smallest eigenvalue of normal_correlation() (before clipping at 0).
    double smallest_eigenvalue() const noexcept;

    // For a block of draws: z holds n columns of independent standard normals (column j = input j's
    // own stream, `count` draws each, column-major: z[j*count + k]); writes correlated uniforms u
    // (same layout) = Phi(L z). With the identity matrix u equals normal_cdf(z) exactly. Column j
    // of u depends only on the columns i of z with L[j][i] != 0, i.e. on inputs correlated with j.
    // z and u must not overlap; throws std::invalid_argument when either holds fewer than
    // n * count values.
    void correlated_uniforms(std::span<const double> z, std::size_t count, std::span<double> u) const;

private:
    std::size_t n_ = 0;
    std::vector<double> normal_correlation_;
    std::vector<double> factor_;
    // For each row of the factor, the columns whose entry is not 0 (the loop skips the rest).
    std::vector<std::vector<std::size_t>> nonzero_columns_;
    double smallest_eigenvalue_ = 1.0;
};

}  // namespace impact::uncertainty
