/// Decodes uploaded photos and encodes their renditions: the port a program that takes
/// uploads fills (libvips, in `bazaar`). Its output is upright and carries no metadata.
package protocol ImageProcessor: Sendable {
  /// Whether it can work here (its library found and started); asked before each upload, so a
  /// processor may load its library on the first one.
  var isAvailable: Bool { get }
  /// The upright size `image`'s header declares (orientation applied), read without decoding
  /// its pixels.
  func size(of image: [UInt8], format: ImageFormat) throws(ImageUnreadable) -> (width: Int, height: Int)
  /// The WebP renditions of `image` at `widths` (each no wider than the image) and a JPEG at
  /// `fallbackWidth`: rotated upright, colours in sRGB, every metadata block stripped.
  func render(
    _ image: [UInt8], format: ImageFormat, widths: [Int], fallbackWidth: Int
  ) throws(ImageUnreadable) -> [EncodedImage]
}

/// One rendition as encoded: its bytes and what `Rendition` records of them.
package struct EncodedImage: Sendable {
  package var rendition: Rendition
  package var bytes: [UInt8]

  package init(rendition: Rendition, bytes: [UInt8]) {
    self.rendition = rendition
    self.bytes = bytes
  }
}

/// The processor could not read an upload (truncated, corrupt, or not what its signature says).
package struct ImageUnreadable: Error, Equatable, Sendable {
  /// Why, in words a seller may read.
  package var reason: String

  package init(_ reason: String) {
    self.reason = reason
  }
}

/// Stored renditions, by digest, inside a store transaction. A rendition two photos share
/// (the same file uploaded twice) is kept once and counted twice.
package protocol MediaRepository {
  /// Keeps `image`'s bytes under its digest, or counts one more use of the bytes kept there.
  func retain(_ image: EncodedImage) throws
  /// Counts one use fewer of the bytes under `digest`; the last one deletes them.
  func release(_ digest: String) throws
  /// The bytes kept under `digest` and their format, if any.
  func media(_ digest: String) throws -> StoredMedia?
}

/// A stored rendition as served.
package struct StoredMedia: Sendable {
  package var format: ImageFormat
  package var bytes: [UInt8]

  package init(format: ImageFormat, bytes: [UInt8]) {
    self.format = format
    self.bytes = bytes
  }
}
