#ifndef BAZAAR_CVIPS_SHIM_H
#define BAZAAR_CVIPS_SHIM_H
// libvips (Debian's libvips-dev) for photo uploads. Its calls take their options as C
// varargs, which Swift cannot pass, so each call Bazaar makes is wrapped here once, options
// fixed, as a static inline function Swift imports.
#include <vips/vips.h>

/// Starts libvips once per process: loaders marked untrusted (SVG, PDF, MATLAB…) blocked,
/// no operation cache (every upload is new bytes). 0 on success.
static inline int bz_vips_start(void) {
  if (VIPS_INIT("bazaar")) return -1;
  vips_block_untrusted_set(TRUE);
  vips_cache_set_max(0);
  return 0;
}

/// Reads the header of the image in `data` without decoding its pixels: its stored width and
/// height and its EXIF orientation (1 when it has none). 0 on success.
static inline int bz_vips_header(const void *data, size_t length, int *width, int *height, int *orientation) {
  VipsImage *image = vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
  if (image == NULL) return -1;
  *width = vips_image_get_width(image);
  *height = vips_image_get_height(image);
  int value = 1;
  if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) != 0) {
    vips_image_get_int(image, VIPS_META_ORIENTATION, &value);
  }
  *orientation = value;
  g_object_unref(image);
  return 0;
}

/// The image in `data` shrunk to `width` pixels wide (never enlarged), rotated upright by its
/// EXIF orientation, colours in sRGB, decoded into memory; a truncated or corrupt file fails.
/// NULL on failure; the caller unrefs the image.
static inline VipsImage *bz_vips_decode(const void *data, size_t length, int width) {
  VipsImage *shrunk = NULL;
  if (vips_thumbnail_buffer(
        (void *)data, length, &shrunk, width, "height", 10000000, "size", VIPS_SIZE_DOWN, "export_profile", "srgb",
        "option_string", "fail_on=truncated", NULL)) {
    return NULL;
  }
  VipsImage *memory = vips_image_copy_memory(shrunk);
  g_object_unref(shrunk);
  return memory;
}

/// `image` shrunk to `width` pixels wide. NULL on failure; the caller unrefs it.
static inline VipsImage *bz_vips_shrink(VipsImage *image, int width) {
  VipsImage *out = NULL;
  if (vips_thumbnail_image(image, &out, width, "height", 10000000, "size", VIPS_SIZE_DOWN, NULL)) return NULL;
  return out;
}

/// A copy of `image` without its metadata (EXIF, XMP, IPTC, ICC, comments) or orientation: what
/// the savers write from. libvips 8.14's webpsave ignores `strip`, so the blocks go here, for
/// every format. NULL on failure; the caller unrefs it.
static inline VipsImage *bz_vips_bare(VipsImage *image) {
  VipsImage *copy = NULL;
  if (vips_copy(image, &copy, NULL)) return NULL;
  // The blocks, and the `exif-ifd…` fields parsed from EXIF, from which savers would write it anew.
  const char *prefixes[] = {"exif-", "xmp-", "iptc-", "icc-", "photoshop-", "orientation", "gif-", "png-comment"};
  gchar **fields = vips_image_get_fields(copy);
  for (gchar **field = fields; *field != NULL; field++) {
    for (size_t index = 0; index < sizeof prefixes / sizeof prefixes[0]; index++) {
      if (vips_isprefix(prefixes[index], *field)) {
        vips_image_remove(copy, *field);
        break;
      }
    }
  }
  g_strfreev(fields);
  return copy;
}

/// `image` as WebP (quality 80), every metadata block stripped. 0 on success; the caller
/// frees `*buffer` with `g_free`.
static inline int bz_vips_webp(VipsImage *image, void **buffer, size_t *length) {
  VipsImage *bare = bz_vips_bare(image);
  if (bare == NULL) return -1;
  int result = vips_webpsave_buffer(bare, buffer, length, "Q", 80, "strip", TRUE, NULL);
  g_object_unref(bare);
  return result;
}

/// `image` as a progressive JPEG (quality 85) on white where it was transparent, every
/// metadata block stripped. 0 on success; the caller frees `*buffer` with `g_free`.
static inline int bz_vips_jpeg(VipsImage *image, void **buffer, size_t *length) {
  VipsImage *opaque = NULL;
  if (vips_image_hasalpha(image)) {
    VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
    int failed = vips_flatten(image, &opaque, "background", white, NULL);
    vips_area_unref(VIPS_AREA(white));
    if (failed) return -1;
  } else {
    opaque = image;
    g_object_ref(image);
  }
  VipsImage *bare = bz_vips_bare(opaque);
  g_object_unref(opaque);
  if (bare == NULL) return -1;
  int result = vips_jpegsave_buffer(
    bare, buffer, length, "Q", 85, "strip", TRUE, "interlace", TRUE, "optimize_coding", TRUE, NULL);
  g_object_unref(bare);
  return result;
}

static inline int bz_vips_width(VipsImage *image) { return vips_image_get_width(image); }
static inline int bz_vips_height(VipsImage *image) { return vips_image_get_height(image); }
static inline void bz_vips_release(VipsImage *image) { g_object_unref(image); }
static inline void bz_vips_free(void *buffer) { g_free(buffer); }
/// Forgets libvips's error text: Bazaar says in its own words what failed.
static inline void bz_vips_clear_error(void) { vips_error_clear(); }
#endif
