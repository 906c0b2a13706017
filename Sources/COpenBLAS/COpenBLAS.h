#include <cblas.h>
#include <stddef.h>

/* Stops OpenBLAS' worker threads (openblas_set_num_threads starts them again). No other thread may
 * be inside OpenBLAS meanwhile. */
int blas_thread_shutdown_(void);

/* LAPACK symmetric eigensolvers (Fortran ABI). Debian's OpenBLAS exports them without LAPACKE.
 * gfortran appends one hidden size_t length per CHARACTER argument: omitting them is undefined behaviour. */
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
