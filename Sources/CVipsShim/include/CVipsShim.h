#ifndef SRG_CVIPSSHIM_H
#define SRG_CVIPSSHIM_H
/* Fixed-arity wrappers over libvips' variadic calls and macros: the whole list of what the Swift
 * facade asks of libvips that Swift cannot call directly. Every function returns NULL or -1 on error,
 * with the reason in libvips' error buffer. */
#include <vips/vips.h>

int srgv_init(const char *argv0);
/* Loads libvips' optional format modules (HEIF, JPEG XL, PDF, ImageMagick, OpenSlide) if start-up
 * deferred them; the loaders and savers below call it when no built-in format matches. */
void srgv_load_modules(void);

/* Loading: `sequential` opens with access=sequential (top-to-bottom streaming); truncated or corrupt
 * data is an error, not a warning. */
VipsImage *srgv_load_path(const char *path, int sequential);
VipsImage *srgv_load_descriptor(int fd, int sequential);

/* Saving: `name` selects the saver by its extension and may carry saver options in brackets. */
/* Saves to a file by name (saver options in brackets); a file that could not be created or written
 * sets `write_error` to the errno (then the status is -1), whether or not the saver noticed. */
int srgv_save_path(VipsImage *image, const char *name, int *write_error);
int srgv_save_descriptor(VipsImage *image, int fd, const char *suffix);

/* Progress: `fn(ctx, fraction)` hears how much of `image` a sink (a save) has computed, from the
 * sink's thread, until srgv_unwatch_progress with the returned watch. */
typedef void (*SrgProgressFn)(void *ctx, double fraction);
typedef struct SrgProgressWatch SrgProgressWatch;
SrgProgressWatch *srgv_watch_progress(VipsImage *image, SrgProgressFn fn, void *ctx);
void srgv_unwatch_progress(VipsImage *image, SrgProgressWatch *watch);

VipsImage *srgv_autorot(VipsImage *in);
VipsImage *srgv_resize(VipsImage *in, double hscale, double vscale, VipsKernel kernel);
VipsImage *srgv_extract_area(VipsImage *in, int left, int top, int width, int height);
VipsImage *srgv_cast(VipsImage *in, VipsBandFormat format);
VipsImage *srgv_premultiply(VipsImage *in);
VipsImage *srgv_unpremultiply(VipsImage *in);
VipsImage *srgv_rint(VipsImage *in);
VipsImage *srgv_copy_memory(VipsImage *in);
VipsImage *srgv_new_from_memory_copy(const void *data, size_t size, int width, int height, int bands,
                                     VipsBandFormat format);
void *srgv_write_to_memory(VipsImage *in, size_t *size);

/* A custom streaming operation: `generate` fills `out->valid` reading from a region on `in`.
 * `start`/`stop` make and free one workspace per libvips worker thread; `release` frees `ctx` when
 * the output image closes. */
typedef void *(*SrgStartFn)(void *ctx);
typedef int (*SrgGenerateFn)(VipsRegion *out, VipsRegion *in, void *workspace, void *ctx);
typedef void (*SrgStopFn)(void *workspace, void *ctx);
typedef void (*SrgReleaseFn)(void *ctx);
VipsImage *srgv_generate(VipsImage *in, int width, int height, int bands, VipsBandFormat format,
                         VipsDemandStyle hint, SrgGenerateFn generate, SrgStartFn start, SrgStopFn stop,
                         SrgReleaseFn release, void *ctx);

static inline VipsPel *srgv_region_addr(VipsRegion *r, int x, int y) {
  return VIPS_REGION_ADDR(r, x, y);
}
static inline size_t srgv_region_lskip(VipsRegion *r) { return VIPS_REGION_LSKIP(r); }
static inline VipsRect srgv_region_valid(VipsRegion *r) { return r->valid; }
static inline int srgv_region_prepare(VipsRegion *r, int left, int top, int width, int height) {
  VipsRect rect = {left, top, width, height};
  return vips_region_prepare(r, &rect);
}



/* Appends `message` to libvips' error buffer, as an operation failing inside `generate` must. */
void srgv_error(const char *domain, const char *message);

/* Drops libvips' warnings (a failing tile repeats its error once per tile). */
void srgv_silence_warnings(void);

/* Degradations (crappify). */
VipsImage *srgv_flatten(VipsImage *in);
VipsImage *srgv_colourspace(VipsImage *in, VipsInterpretation space);
/* Convolves with a width x height matrix of weights, in float; the output is float. */
VipsImage *srgv_conv_float(VipsImage *in, const double *weights, int width, int height);
/* Gaussian blur computed in float down to weights of `min_ampl`; the output is float. */
VipsImage *srgv_gaussblur_float(VipsImage *in, double sigma, double min_ampl);
/* Encodes 8-bit `in` as a baseline JPEG at quality `q` with 4:2:0 chroma and no metadata. The
 * buffer is g_malloc'd. */
int srgv_jpegsave_buffer(VipsImage *in, int q, void **buf, size_t *len);
/* Decodes an image from a copy of `data`, which the caller may free at once. */
VipsImage *srgv_load_buffer_copy(const void *data, size_t len);
/* A one-band uchar mask of `text` rendered with pango; `fontfile` (may be NULL) is loaded first. */
VipsImage *srgv_text(const char *text, const char *font, const char *fontfile);
VipsImage *srgv_embed_black(VipsImage *in, int x, int y, int width, int height);
/* A constant image the size and format of `like`, with `n` bands of values `c`. */
VipsImage *srgv_constant_like(VipsImage *like, const double *c, int n);
/* Mixes `in1` (where cond is 255) and `in2` (where cond is 0), in proportion between. */
VipsImage *srgv_ifthenelse_blend(VipsImage *cond, VipsImage *in1, VipsImage *in2);
/* Streaming upscale. */
/* Extends the image with copies of its edge pixels: `x`, `y` is where `in` lands in the bigger one. */
VipsImage *srgv_embed_copy(VipsImage *in, int x, int y, int width, int height);
/* out = in * a + b per band, as float. */
VipsImage *srgv_linear(VipsImage *in, double a, double b);
VipsImage *srgv_extract_bands(VipsImage *in, int first, int n);
VipsImage *srgv_bandjoin2(VipsImage *a, VipsImage *b);
/* A threaded cache of `tile_width` x `tile_height` tiles, each computed by one request to `in`. */
VipsImage *srgv_tilecache(VipsImage *in, int tile_width, int tile_height, int max_tiles);
/* Band-wise mean: one band. */
VipsImage *srgv_bandmean(VipsImage *in);
/* Whether pixels come from a file read top to bottom once (a sequential loader upstream). */
int srgv_is_sequential(VipsImage *in);
/* Computes `in` strictly top to bottom, `tile_height` lines at a time, whichever thread asks, and keeps
 * recent lines for threads that ask for them later. */
VipsImage *srgv_sequential(VipsImage *in, int tile_height);
/* Multi-page images (animated GIF and WebP, multi-page TIFF). */
/* Opens every page of `path`, stacked top to bottom ("page-height" says where each starts). */
VipsImage *srgv_load_path_all_pages(const char *path, int sequential);
/* Stacks `n` images top to bottom and records `page_height` as their page height. */
VipsImage *srgv_stack_pages(VipsImage **pages, int n, int page_height);
/* Colour management. Profiles are file names or libvips' built-in "srgb", "cmyk" and "p3";
 * `input_profile` NULL (or `embedded` set and a profile embedded) uses the image's own. `depth` is 8
 * or 16. Profiles are read when the operation is built, so their files may go at once after. */
VipsImage *srgv_icc_transform(VipsImage *in, const char *output_profile, const char *input_profile, int embedded,
                              int depth);
#endif
