// The calls of CVips.h over libvips, resolved with dlsym from the library dlopen loads. The
// declarations below are libvips 8's public ones (vips/*.h, glib's types spelled out), so
// building needs no libvips headers; the ABI is the soname's, libvips.so.42.
#include "CVips.h"

#include <dlfcn.h>

typedef int gboolean;
typedef unsigned long GType;
typedef struct _VipsArea VipsArea;
typedef struct _VipsArea VipsArrayDouble;

enum { ACCESS_SEQUENTIAL = 1, SIZE_DOWN = 2 };

static struct {
  int (*version)(int flag);
  int (*init)(const char *argv0);
  void (*block_untrusted_set)(gboolean state);
  void (*cache_set_max)(int max);
  VipsImage *(*image_new_from_buffer)(const void *buf, size_t len, const char *option_string, ...);
  int (*image_get_width)(const VipsImage *image);
  int (*image_get_height)(const VipsImage *image);
  GType (*image_get_typeof)(const VipsImage *image, const char *name);
  int (*image_get_int)(const VipsImage *image, const char *name, int *out);
  gboolean (*image_remove)(VipsImage *image, const char *name);
  char **(*image_get_fields)(VipsImage *image);
  gboolean (*image_hasalpha)(VipsImage *image);
  VipsImage *(*image_copy_memory)(VipsImage *image);
  int (*thumbnail_buffer)(void *buf, size_t len, VipsImage **out, int width, ...);
  int (*thumbnail_image)(VipsImage *in, VipsImage **out, int width, ...);
  int (*copy)(VipsImage *in, VipsImage **out, ...);
  int (*flatten)(VipsImage *in, VipsImage **out, ...);
  int (*webpsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
  int (*jpegsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
  VipsArrayDouble *(*array_double_newv)(int n, ...);
  void (*area_unref)(VipsArea *area);
  gboolean (*isprefix)(const char *a, const char *b);
  void (*error_clear)(void);
  void (*object_ref)(void *object);
  void (*object_unref)(void *object);
  void (*strfreev)(char **list);
  void (*free)(void *memory);
} vips;

/// Every symbol of `vips` from `library`; 0 when all resolve.
static int resolve(void *library) {
  struct {
    void **slot;
    const char *name;
  } symbols[] = {
    {(void **)&vips.version, "vips_version"},
    {(void **)&vips.init, "vips_init"},
    {(void **)&vips.block_untrusted_set, "vips_block_untrusted_set"},
    {(void **)&vips.cache_set_max, "vips_cache_set_max"},
    {(void **)&vips.image_new_from_buffer, "vips_image_new_from_buffer"},
    {(void **)&vips.image_get_width, "vips_image_get_width"},
    {(void **)&vips.image_get_height, "vips_image_get_height"},
    {(void **)&vips.image_get_typeof, "vips_image_get_typeof"},
    {(void **)&vips.image_get_int, "vips_image_get_int"},
    {(void **)&vips.image_remove, "vips_image_remove"},
    {(void **)&vips.image_get_fields, "vips_image_get_fields"},
    {(void **)&vips.image_hasalpha, "vips_image_hasalpha"},
    {(void **)&vips.image_copy_memory, "vips_image_copy_memory"},
    {(void **)&vips.thumbnail_buffer, "vips_thumbnail_buffer"},
    {(void **)&vips.thumbnail_image, "vips_thumbnail_image"},
    {(void **)&vips.copy, "vips_copy"},
    {(void **)&vips.flatten, "vips_flatten"},
    {(void **)&vips.webpsave_buffer, "vips_webpsave_buffer"},
    {(void **)&vips.jpegsave_buffer, "vips_jpegsave_buffer"},
    {(void **)&vips.array_double_newv, "vips_array_double_newv"},
    {(void **)&vips.area_unref, "vips_area_unref"},
    {(void **)&vips.isprefix, "vips_isprefix"},
    {(void **)&vips.error_clear, "vips_error_clear"},
    {(void **)&vips.object_ref, "g_object_ref"},
    {(void **)&vips.object_unref, "g_object_unref"},
    {(void **)&vips.strfreev, "g_strfreev"},
    {(void **)&vips.free, "g_free"},
  };
  for (size_t index = 0; index < sizeof symbols / sizeof symbols[0]; index++) {
    *symbols[index].slot = dlsym(library, symbols[index].name);
    if (*symbols[index].slot == NULL) return -1;
  }
  return 0;
}

int bz_vips_start(void) {
  void *library = dlopen("libvips.so.42", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL || resolve(library) != 0) return -1;
  // 8.14 and later: the release Debian 12 ships, whose behaviour the tests pin.
  if (vips.version(0) != 8 || vips.version(1) < 14) return -1;
  if (vips.init("bazaar")) return -1;
  vips.block_untrusted_set(1);
  vips.cache_set_max(0);
  return 0;
}

int bz_vips_header(const void *data, size_t length, int *width, int *height, int *orientation) {
  VipsImage *image = vips.image_new_from_buffer(data, length, "", "access", ACCESS_SEQUENTIAL, NULL);
  if (image == NULL) return -1;
  *width = vips.image_get_width(image);
  *height = vips.image_get_height(image);
  int value = 1;
  if (vips.image_get_typeof(image, "orientation") != 0) vips.image_get_int(image, "orientation", &value);
  *orientation = value;
  vips.object_unref(image);
  return 0;
}

VipsImage *bz_vips_decode(const void *data, size_t length, int width) {
  VipsImage *shrunk = NULL;
  if (vips.thumbnail_buffer(
        (void *)data, length, &shrunk, width, "height", 10000000, "size", SIZE_DOWN, "export_profile", "srgb",
        "option_string", "fail_on=truncated", NULL)) {
    return NULL;
  }
  VipsImage *memory = vips.image_copy_memory(shrunk);
  vips.object_unref(shrunk);
  return memory;
}

VipsImage *bz_vips_shrink(VipsImage *image, int width) {
  VipsImage *out = NULL;
  if (vips.thumbnail_image(image, &out, width, "height", 10000000, "size", SIZE_DOWN, NULL)) return NULL;
  return out;
}

/// A copy of `image` without its metadata (EXIF, XMP, IPTC, ICC, comments) or orientation: what
/// the savers write from. libvips 8.14's webpsave ignores `strip`, so the blocks go here, for
/// every format. NULL on failure; the caller unrefs it.
static VipsImage *bare(VipsImage *image) {
  VipsImage *copy = NULL;
  if (vips.copy(image, &copy, NULL)) return NULL;
  // The blocks, and the `exif-ifd…` fields parsed from EXIF, from which savers would write it anew.
  const char *prefixes[] = {"exif-", "xmp-", "iptc-", "icc-", "photoshop-", "orientation", "gif-", "png-comment"};
  char **fields = vips.image_get_fields(copy);
  for (char **field = fields; *field != NULL; field++) {
    for (size_t index = 0; index < sizeof prefixes / sizeof prefixes[0]; index++) {
      if (vips.isprefix(prefixes[index], *field)) {
        vips.image_remove(copy, *field);
        break;
      }
    }
  }
  vips.strfreev(fields);
  return copy;
}

int bz_vips_webp(VipsImage *image, void **buffer, size_t *length) {
  VipsImage *stripped = bare(image);
  if (stripped == NULL) return -1;
  int result = vips.webpsave_buffer(stripped, buffer, length, "Q", 80, "strip", 1, NULL);
  vips.object_unref(stripped);
  return result;
}

int bz_vips_jpeg(VipsImage *image, void **buffer, size_t *length) {
  VipsImage *opaque = NULL;
  if (vips.image_hasalpha(image)) {
    VipsArrayDouble *white = vips.array_double_newv(1, 255.0);
    int failed = vips.flatten(image, &opaque, "background", white, NULL);
    vips.area_unref(white);
    if (failed) return -1;
  } else {
    opaque = image;
    vips.object_ref(image);
  }
  VipsImage *stripped = bare(opaque);
  vips.object_unref(opaque);
  if (stripped == NULL) return -1;
  int result = vips.jpegsave_buffer(
    stripped, buffer, length, "Q", 85, "strip", 1, "interlace", 1, "optimize_coding", 1, NULL);
  vips.object_unref(stripped);
  return result;
}

int bz_vips_width(VipsImage *image) { return vips.image_get_width(image); }
int bz_vips_height(VipsImage *image) { return vips.image_get_height(image); }
void bz_vips_release(VipsImage *image) { vips.object_unref(image); }
void bz_vips_free(void *buffer) { vips.free(buffer); }
void bz_vips_clear_error(void) { vips.error_clear(); }
