/* fp: double-precision matrix multiply C = A * B (N x N); FP loads and fmadd.d.
 * The checksum is the bit pattern of sum(C), so it only matches when every
 * multiply-add is IEEE-754 exact, fused and correctly rounded. */
#include "bench.h"

#define EXPECTED 0xc093059b5b890618ULL

#define N 288

/* Called once: the classic i-k-j loop order, which streams rows of B and C. */
static void matmul(const double *a, const double *b, double *c)
{
    for (int i = 0; i < N * N; i++)
        c[i] = 0.0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double aik = a[i * N + k];
            const double *brow = &b[k * N];
            double *crow = &c[i * N];
            for (int j = 0; j < N; j++)
                crow[j] += aik * brow[j];
        }
}

/* Runs at reset (from crt0): build A and B, multiply, report. */
int main(void)
{
    double *a = (double *)__heap_start;
    double *b = a + N * N;
    double *c = b + N * N;
    uint64_t seed = 7;
    uart_init();
    /* inputs in [-1, 1) with 20 significant bits, built from integers */
    for (int i = 0; i < N * N; i++) {
        a[i] = (double)((int64_t)(lcg_next(&seed) >> 43) - (1 << 20)) / (double)(1 << 20);
        b[i] = (double)((int64_t)(lcg_next(&seed) >> 43) - (1 << 20)) / (double)(1 << 20);
    }
    matmul(a, b, c);
    double sum = 0.0;
    for (int i = 0; i < N * N; i++)
        sum += c[i] * (double)((i % 7) + 1);
    union { double d; uint64_t u; } bits = { sum };
    bench_report("fp", bits.u, EXPECTED);
}
