#ifndef BAZAAR_CVIPS_H
#define BAZAAR_CVIPS_H
// libvips for photo uploads, loaded with dlopen on the first upload: a process that never
// renders a photo never loads it and the hundred libraries it pulls in. libvips's calls take
// their options as C varargs, which Swift cannot pass, so each call Bazaar makes is wrapped
// here once, options fixed.
#include <stddef.h>

/// A libvips image (VipsImage), opaque to Swift.
typedef struct _VipsImage VipsImage;

/// Loads libvips (`libvips.so.42`, the 8.x ABI) and starts it once per process: loaders marked
/// untrusted (SVG, PDF, MATLAB…) blocked, no operation cache. 0 on success; -1 when the library
/// is missing, too old or fails to start. Call it before any other function here.
int bz_vips_start(void);

/// Reads the header of the image in `data` without decoding its pixels: its stored width and
/// height and its EXIF orientation (1 when it has none). 0 on success.
int bz_vips_header(const void *data, size_t length, int *width, int *height, int *orientation);

/// The image in `data` shrunk to `width` pixels wide (never enlarged), rotated upright by its
/// EXIF orientation, colours in sRGB, decoded into memory; a truncated or corrupt file fails.
/// NULL on failure; the caller releases the image.
VipsImage *bz_vips_decode(const void *data, size_t length, int width);

/// `image` shrunk to `width` pixels wide. NULL on failure; the caller releases it.
VipsImage *bz_vips_shrink(VipsImage *image, int width);

/// `image` as WebP (quality 80), every metadata block stripped. 0 on success; the caller
/// frees `*buffer` with `bz_vips_free`.
int bz_vips_webp(VipsImage *image, void **buffer, size_t *length);

/// `image` as a progressive JPEG (quality 85) on white where it was transparent, every
/// metadata block stripped. 0 on success; the caller frees `*buffer` with `bz_vips_free`.
int bz_vips_jpeg(VipsImage *image, void **buffer, size_t *length);

int bz_vips_width(VipsImage *image);
int bz_vips_height(VipsImage *image);
void bz_vips_release(VipsImage *image);
void bz_vips_free(void *buffer);
/// Forgets libvips's error text: Bazaar says in its own words what failed.
void bz_vips_clear_error(void);
#endif
