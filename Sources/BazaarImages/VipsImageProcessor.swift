package import BazaarCore
internal import BazaarCrypto
internal import CVips

/// The image processor over libvips (the library sharp and imgproxy use): headers read
/// without decoding, one decode shrunk on load to the widest rendition, the narrower ones
/// made from that, every output upright, in sRGB and stripped of metadata (EXIF, XMP, ICC,
/// GPS). Only `bazaar` holds it, and libvips is loaded on the first upload, so no other
/// process pays for its libraries.
package struct VipsImageProcessor: ImageProcessor {
  package init() {}

  /// Loads and starts libvips on first use; false when it cannot (then uploads answer 503).
  package var isAvailable: Bool { Self.started }

  private static let started: Bool = bz_vips_start() == 0

  package func size(of image: [UInt8], format: ImageFormat) throws(ImageUnreadable) -> (width: Int, height: Int) {
    var width: Int32 = 0
    var height: Int32 = 0
    var orientation: Int32 = 1
    let read = image.withUnsafeBytes { bz_vips_header($0.baseAddress, $0.count, &width, &height, &orientation) }
    guard read == 0 else {
      bz_vips_clear_error()
      throw ImageUnreadable("its \(format.rawValue.uppercased()) header is damaged")
    }
    // EXIF orientations 5–8 turn the picture a quarter: it stands the other way up.
    return (5...8).contains(orientation) ? (Int(height), Int(width)) : (Int(width), Int(height))
  }

  package func render(
    _ image: [UInt8], format: ImageFormat, widths: [Int], fallbackWidth: Int
  ) throws(ImageUnreadable) -> [EncodedImage] {
    let widest = max(widths.max() ?? fallbackWidth, fallbackWidth)
    guard let decoded = image.withUnsafeBytes({ bz_vips_decode($0.baseAddress, $0.count, Int32(widest)) }) else {
      bz_vips_clear_error()
      throw ImageUnreadable("the file is truncated or corrupt")
    }
    defer { bz_vips_release(decoded) }
    var encoded: [EncodedImage] = []
    for width in widths.sorted() {
      encoded.append(try Self.encode(decoded, width: width, as: .webp))
    }
    encoded.append(try Self.encode(decoded, width: fallbackWidth, as: .jpeg))
    return encoded
  }

  /// `decoded` at `width` (itself when it is that wide) in `format`, with its digest.
  private static func encode(
    _ decoded: OpaquePointer, width: Int, as format: ImageFormat
  ) throws(ImageUnreadable) -> EncodedImage {
    let image: OpaquePointer
    if Int(bz_vips_width(decoded)) <= width {
      image = decoded
    } else {
      guard let shrunk = bz_vips_shrink(decoded, Int32(width)) else {
        bz_vips_clear_error()
        throw ImageUnreadable("it could not be resized")
      }
      image = shrunk
    }
    defer { if image != decoded { bz_vips_release(image) } }
    var buffer: UnsafeMutableRawPointer?
    var length = 0
    let saved = format == .webp ? bz_vips_webp(image, &buffer, &length) : bz_vips_jpeg(image, &buffer, &length)
    guard saved == 0, let buffer else {
      bz_vips_clear_error()
      throw ImageUnreadable("it could not be encoded as \(format.rawValue.uppercased())")
    }
    defer { bz_vips_free(buffer) }
    var bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
    if format == .webp {
      guard let stripped = WebPContainer.stripped(bytes) else {
        throw ImageUnreadable("its WebP rendition came out malformed")
      }
      bytes = stripped
    }
    let rendition = Rendition(
      width: Int(bz_vips_width(image)), height: Int(bz_vips_height(image)), format: format,
      digest: SHA256.hex(bytes), byteCount: bytes.count)
    return EncodedImage(rendition: rendition, bytes: bytes)
  }
}
