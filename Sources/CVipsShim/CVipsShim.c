#define _GNU_SOURCE
#include <dlfcn.h>
#include <gmodule.h>
#include <malloc.h>
#include "CVipsShim.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* libvips loads its optional format modules (ImageMagick, poppler, libheif, libjxl, OpenSlide and
 * everything they link) from its libdir at start-up: tens of milliseconds, paid by every run even when
 * every input is a PNG or JPEG. vips_init finds that directory from VIPSHOME, so when the user has not
 * set it we point it at a folder that does not exist for the duration of vips_init and load the
 * modules ourselves (srgv_load_modules), the first time a file is in a format no built-in loader or
 * saver handles. */
#define SRGV_NO_MODULES_HOME "/nonexistent/srg-deferred-vips-modules"
static int modules_deferred = 0;

int srgv_init(const char *argv0) {
#ifdef __GLIBC__
  /* Pipelines allocate and free region buffers of a few hundred KB to a few MB for every strip and
   * image. Above glibc's default threshold each one is a fresh mmap, paid again in page faults and
   * zeroing; kept in the heap (and not trimmed back) the same memory is reused image after image.
   * Feature maps of 128 or more channels pass the largest threshold glibc allows (32 MB), so blocks
   * are not mapped on their own (but for those over 64 MB on threads other than the main one, which
   * glibc still maps): a network's layers and tiles reuse each other's freed blocks. */
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  modules_deferred = g_getenv("VIPSHOME") == NULL;
  if (modules_deferred) g_setenv("VIPSHOME", SRGV_NO_MODULES_HOME, TRUE);
  int status = vips_init(argv0);
  /* vips_init would have set VIPSHOME to the prefix it guessed; leave the environment as it was. */
  if (modules_deferred) g_unsetenv("VIPSHOME");
  return status;
}

static gpointer load_modules(gpointer unused) {
  (void) unused;
  if (!modules_deferred) return NULL;
  /* The modules live in libvips' own libdir: the folder of the loaded libvips.so. */
  Dl_info info;
  if (!dladdr((void *) vips_init, &info) || !info.dli_fname) return NULL;
  char *libdir = g_path_get_dirname(info.dli_fname);
  char *dir = g_strdup_printf("%s/vips-modules-%d.%d", libdir, VIPS_MAJOR_VERSION, VIPS_MINOR_VERSION);
  GDir *listing = g_dir_open(dir, 0, NULL);
  if (listing) {
    const char *name;
    while ((name = g_dir_read_name(listing))) {
      if (!g_str_has_suffix(name, "." G_MODULE_SUFFIX)) continue;
      char *path = g_build_filename(dir, name, NULL);
      /* The module registers its operations from g_module_check_init and makes itself resident. */
      if (!g_module_open(path, G_MODULE_BIND_LAZY)) g_warning("unable to load %s: %s", path, g_module_error());
      g_free(path);
    }
    g_dir_close(listing);
  }
  g_free(dir);
  g_free(libdir);
  /* vips_init blocks untrusted operations after loading modules; do the same for theirs. */
  if (g_getenv("VIPS_BLOCK_UNTRUSTED")) vips_block_untrusted_set(TRUE);
  return NULL;
}

void srgv_load_modules(void) {
  static GOnce once = G_ONCE_INIT;
  g_once(&once, load_modules, NULL);
}

/* Whether a built-in loader reads `source`; if none does, loads the modules and asks again. */
static gboolean find_loader(VipsSource *source) {
  if (vips_foreign_find_load_source(source)) return TRUE;
  vips_error_clear();
  srgv_load_modules();
  return vips_foreign_find_load_source(source) != NULL;
}

/* Makes sure a saver for `name` (a file name or suffix, saver options in brackets allowed) is
 * registered, loading the modules if no built-in saver takes it. */
static void find_saver(const char *name, gboolean target) {
  if (target ? vips_foreign_find_save_target(name) != NULL : vips_foreign_find_save(name) != NULL) return;
  vips_error_clear();
  srgv_load_modules();
}

static VipsImage *load_source(VipsSource *source, int sequential) {
  VipsImage *out = vips_image_new_from_source(source, "", "access",
      sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
  g_object_unref(source);
  return out;
}

VipsImage *srgv_load_path(const char *path, int sequential) {
  VipsSource *source = vips_source_new_from_file(path);
  if (!source) return NULL;
  if (find_loader(source)) return load_source(source, sequential);
  /* Formats without a source loader (FITS, the native .v format, ...) load by file name. */
  g_object_unref(source);
  vips_error_clear();
  return vips_image_new_from_file(path, "access", sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM,
                                  "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
}

VipsImage *srgv_load_descriptor(int fd, int sequential) {
  VipsSource *source = vips_source_new_from_descriptor(fd);
  if (!source) return NULL;
  find_loader(source);
  return load_source(source, sequential);
}

/* A file written through our own write(2) calls: a failed write is recorded here even where a saver
 * does not report it (libvips 8.14's savers can drop the error of their last, flushing write and
 * succeed with the file cut short). */
typedef struct {
  int fd;
  int error;
} FileTarget;

static gint64 file_target_write(VipsTargetCustom *target, const void *data, gint64 length, FileTarget *f) {
  (void) target;
  gint64 done = 0;
  while (done < length) {
    ssize_t n = write(f->fd, (const char *) data + done, (size_t) (length - done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!f->error) f->error = n < 0 ? errno : EIO;
      return -1;
    }
    done += n;
  }
  return done;
}

static gint64 file_target_read(VipsTargetCustom *target, void *buffer, gint64 length, FileTarget *f) {
  (void) target;
  ssize_t n;
  do n = read(f->fd, buffer, (size_t) length); while (n < 0 && errno == EINTR);
  return n;
}

static gint64 file_target_seek(VipsTargetCustom *target, gint64 offset, int whence, FileTarget *f) {
  (void) target;
  return lseek(f->fd, offset, whence);
}

static int file_target_end(VipsTargetCustom *target, FileTarget *f) {
  (void) target;
  return f->error ? -1 : 0;
}

int srgv_save_path(VipsImage *image, const char *name, int *write_error) {
  *write_error = 0;
  find_saver(name, FALSE);
  /* Formats without a target saver write by file name, as does the native format, whose target
   * saver wants a file name anyway. */
  const char *saver = vips_foreign_find_save_target(name);
  if (!saver || strcmp(saver, "VipsForeignSaveVipsTarget") == 0) {
    vips_error_clear();
    return vips_image_write_to_file(image, name, NULL);
  }
  /* The file name is the name without its saver options in brackets. */
  size_t length = strlen(name);
  const char *options = length && name[length - 1] == ']' ? strrchr(name, '[') : NULL;
  char *path = g_strndup(name, options ? (size_t) (options - name) : length);
  FileTarget f = {open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666), 0};
  g_free(path);
  if (f.fd < 0) {
    *write_error = errno;
    return -1;
  }
  VipsTargetCustom *target = vips_target_custom_new();
  g_signal_connect(target, "write", G_CALLBACK(file_target_write), &f);
  g_signal_connect(target, "read", G_CALLBACK(file_target_read), &f);
  g_signal_connect(target, "seek", G_CALLBACK(file_target_seek), &f);
  g_signal_connect(target, "end", G_CALLBACK(file_target_end), &f);
  int status = vips_image_write_to_target(image, name, VIPS_TARGET(target), NULL);
  g_object_unref(target);
  if (close(f.fd) != 0 && !f.error) f.error = errno;
  *write_error = f.error;
  return status || f.error ? -1 : 0;
}

int srgv_save_descriptor(VipsImage *image, int fd, const char *suffix) {
  find_saver(suffix, TRUE);
  VipsTarget *target = vips_target_new_to_descriptor(fd);
  if (!target) return -1;
  int status = vips_image_write_to_target(image, suffix, target, NULL);
  g_object_unref(target);
  return status;
}

struct SrgProgressWatch {
  SrgProgressFn fn;
  void *ctx;
  gulong eval, posteval;
  VipsImage *previous;
};

static void progress_eval(VipsImage *image, VipsProgress *progress, gpointer data) {
  (void) image;
  SrgProgressWatch *watch = data;
  if (progress->tpels > 0) watch->fn(watch->ctx, (double) progress->npels / (double) progress->tpels);
}

/* The last "eval" may come before the last pixels: the end of the sink says all of them are done. */
static void progress_posteval(VipsImage *image, VipsProgress *progress, gpointer data) {
  (void) image;
  (void) progress;
  SrgProgressWatch *watch = data;
  watch->fn(watch->ctx, 1);
}

SrgProgressWatch *srgv_watch_progress(VipsImage *image, SrgProgressFn fn, void *ctx) {
  SrgProgressWatch *watch = g_new(SrgProgressWatch, 1);
  watch->fn = fn;
  watch->ctx = ctx;
  /* libvips signals progress on the image `progress_signal` names, which an image may have inherited
   * from upstream (vips_image_set_progress would then keep that one): point it here for the save. */
  watch->previous = image->progress_signal;
  image->progress_signal = image;
  watch->eval = g_signal_connect(image, "eval", G_CALLBACK(progress_eval), watch);
  watch->posteval = g_signal_connect(image, "posteval", G_CALLBACK(progress_posteval), watch);
  return watch;
}

void srgv_unwatch_progress(VipsImage *image, SrgProgressWatch *watch) {
  g_signal_handler_disconnect(image, watch->eval);
  g_signal_handler_disconnect(image, watch->posteval);
  image->progress_signal = watch->previous;
  g_free(watch);
}

#define UNARY(call) VipsImage *out = NULL; return (call) ? NULL : out

VipsImage *srgv_autorot(VipsImage *in) { UNARY(vips_autorot(in, &out, NULL)); }
VipsImage *srgv_resize(VipsImage *in, double hscale, double vscale, VipsKernel kernel) {
  UNARY(vips_resize(in, &out, hscale, "vscale", vscale, "kernel", kernel, NULL));
}
VipsImage *srgv_extract_area(VipsImage *in, int left, int top, int width, int height) {
  UNARY(vips_extract_area(in, &out, left, top, width, height, NULL));
}
VipsImage *srgv_cast(VipsImage *in, VipsBandFormat format) { UNARY(vips_cast(in, &out, format, NULL)); }
VipsImage *srgv_premultiply(VipsImage *in) { UNARY(vips_premultiply(in, &out, NULL)); }
VipsImage *srgv_unpremultiply(VipsImage *in) { UNARY(vips_unpremultiply(in, &out, NULL)); }
VipsImage *srgv_rint(VipsImage *in) { UNARY(vips_rint(in, &out, NULL)); }
VipsImage *srgv_copy_memory(VipsImage *in) { return vips_image_copy_memory(in); }

VipsImage *srgv_new_from_memory_copy(const void *data, size_t size, int width, int height, int bands,
                                     VipsBandFormat format) {
  return vips_image_new_from_memory_copy(data, size, width, height, bands, format);
}

void *srgv_write_to_memory(VipsImage *in, size_t *size) { return vips_image_write_to_memory(in, size); }


typedef struct {
  VipsImage *in;
  SrgGenerateFn generate;
  SrgStartFn start;
  SrgStopFn stop;
  SrgReleaseFn release;
  void *ctx;
} Operation;

typedef struct {
  VipsRegion *in;
  void *workspace;
} Sequence;

static void *op_start(VipsImage *out, void *a, void *b) {
  Operation *op = b;
  Sequence *seq = g_new0(Sequence, 1);
  if (!(seq->in = vips_region_new(op->in))) { g_free(seq); return NULL; }
  seq->workspace = op->start ? op->start(op->ctx) : NULL;
  return seq;
}

static int op_generate(VipsRegion *out, void *vseq, void *a, void *b, gboolean *stop) {
  Sequence *seq = vseq;
  Operation *op = b;
  return op->generate(out, seq->in, seq->workspace, op->ctx);
}

static int op_stop(void *vseq, void *a, void *b) {
  Sequence *seq = vseq;
  Operation *op = b;
  if (op->stop) op->stop(seq->workspace, op->ctx);
  g_object_unref(seq->in);
  g_free(seq);
  return 0;
}

static void op_close(VipsImage *image, void *data) {
  Operation *op = data;
  if (op->release) op->release(op->ctx);
  g_object_unref(op->in);
  g_free(op);
}

VipsImage *srgv_generate(VipsImage *in, int width, int height, int bands, VipsBandFormat format,
                         VipsDemandStyle hint, SrgGenerateFn generate, SrgStartFn start, SrgStopFn stop,
                         SrgReleaseFn release, void *ctx) {
  Operation *op = g_new0(Operation, 1);
  *op = (Operation){in, generate, start, stop, release, ctx};
  g_object_ref(in);
  VipsImage *out = vips_image_new();
  /* From here the output owns `op`: closing it releases the context and the input. */
  g_signal_connect(out, "close", G_CALLBACK(op_close), op);
  VipsImage *inputs[2] = {in, NULL};
  if (vips_image_pipeline_array(out, hint, inputs)) { g_object_unref(out); return NULL; }
  out->Xsize = width;
  out->Ysize = height;
  out->Bands = bands;
  out->BandFmt = format;
  if (vips_image_generate(out, op_start, op_generate, op_stop, in, op)) { g_object_unref(out); return NULL; }
  return out;
}

void srgv_error(const char *domain, const char *message) { vips_error(domain, "%s", message); }

static void ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {}

void srgv_silence_warnings(void) {
  g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, ignore_log, NULL);
}

VipsImage *srgv_flatten(VipsImage *in) { UNARY(vips_flatten(in, &out, NULL)); }
VipsImage *srgv_colourspace(VipsImage *in, VipsInterpretation space) {
  UNARY(vips_colourspace(in, &out, space, NULL));
}

VipsImage *srgv_conv_float(VipsImage *in, const double *weights, int width, int height) {
  VipsImage *mask = vips_image_new_matrix_from_array(width, height, weights, width * height);
  if (!mask) return NULL;
  VipsImage *out = NULL;
  int status = vips_conv(in, &out, mask, "precision", VIPS_PRECISION_FLOAT, NULL);
  g_object_unref(mask);
  return status ? NULL : out;
}

VipsImage *srgv_gaussblur_float(VipsImage *in, double sigma, double min_ampl) {
  UNARY(vips_gaussblur(in, &out, sigma, "precision", VIPS_PRECISION_FLOAT, "min_ampl", min_ampl, NULL));
}

int srgv_jpegsave_buffer(VipsImage *in, int q, void **buf, size_t *len) {
  return vips_jpegsave_buffer(in, buf, len, "Q", q, "strip", TRUE, "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON,
                              NULL);
}

VipsImage *srgv_load_buffer_copy(const void *data, size_t len) {
  VipsBlob *blob = vips_blob_copy(data, len);
  VipsSource *source = vips_source_new_from_blob(blob);
  vips_area_unref(VIPS_AREA(blob));
  if (!source) return NULL;
  find_loader(source);
  return load_source(source, 1);
}

VipsImage *srgv_text(const char *text, const char *font, const char *fontfile) {
  VipsImage *out = NULL;
  int status = fontfile ? vips_text(&out, text, "font", font, "fontfile", fontfile, NULL)
                        : vips_text(&out, text, "font", font, NULL);
  return status ? NULL : out;
}

VipsImage *srgv_embed_black(VipsImage *in, int x, int y, int width, int height) {
  UNARY(vips_embed(in, &out, x, y, width, height, "extend", VIPS_EXTEND_BLACK, NULL));
}

VipsImage *srgv_constant_like(VipsImage *like, const double *c, int n) {
  return vips_image_new_from_image(like, c, n);
}

VipsImage *srgv_ifthenelse_blend(VipsImage *cond, VipsImage *in1, VipsImage *in2) {
  VipsImage *out = NULL;
  return vips_ifthenelse(cond, in1, in2, &out, "blend", TRUE, NULL) ? NULL : out;
}

VipsImage *srgv_embed_copy(VipsImage *in, int x, int y, int width, int height) {
  UNARY(vips_embed(in, &out, x, y, width, height, "extend", VIPS_EXTEND_COPY, NULL));
}
VipsImage *srgv_linear(VipsImage *in, double a, double b) { UNARY(vips_linear1(in, &out, a, b, NULL)); }
VipsImage *srgv_extract_bands(VipsImage *in, int first, int n) { UNARY(vips_extract_band(in, &out, first, "n", n, NULL)); }
VipsImage *srgv_bandjoin2(VipsImage *a, VipsImage *b) { VipsImage *out = NULL; return vips_bandjoin2(a, b, &out, NULL) ? NULL : out; }
VipsImage *srgv_tilecache(VipsImage *in, int tile_width, int tile_height, int max_tiles) {
  UNARY(vips_tilecache(in, &out, "tile_width", tile_width, "tile_height", tile_height, "max_tiles", max_tiles,
                       "access", VIPS_ACCESS_SEQUENTIAL, "threaded", TRUE, NULL));
}
VipsImage *srgv_bandmean(VipsImage *in) { UNARY(vips_bandmean(in, &out, NULL)); }
int srgv_is_sequential(VipsImage *in) { return vips_image_is_sequential(in); }
VipsImage *srgv_sequential(VipsImage *in, int tile_height) {
  UNARY(vips_sequential(in, &out, "tile_height", tile_height, NULL));
}

VipsImage *srgv_load_path_all_pages(const char *path, int sequential) {
  VipsSource *source = vips_source_new_from_file(path);
  if (!source) return NULL;
  find_loader(source);
  VipsImage *out = vips_image_new_from_source(source, "", "access",
      sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM, "fail_on", VIPS_FAIL_ON_TRUNCATED, "n", -1, NULL);
  g_object_unref(source);
  return out;
}

VipsImage *srgv_stack_pages(VipsImage **pages, int n, int page_height) {
  VipsImage *joined = NULL, *out = NULL;
  if (vips_arrayjoin(pages, &joined, n, "across", 1, NULL)) return NULL;
  if (vips_copy(joined, &out, NULL)) { g_object_unref(joined); return NULL; }
  g_object_unref(joined);
  vips_image_set_int(out, VIPS_META_PAGE_HEIGHT, page_height);
  return out;
}

VipsImage *srgv_icc_transform(VipsImage *in, const char *output_profile, const char *input_profile, int embedded,
                              int depth) {
  VipsImage *out = NULL;
  int status = input_profile
      ? vips_icc_transform(in, &out, output_profile, "input_profile", input_profile, "embedded", embedded, "depth",
                           depth, NULL)
      : vips_icc_transform(in, &out, output_profile, "embedded", TRUE, "depth", depth, NULL);
  return status ? NULL : out;
}
