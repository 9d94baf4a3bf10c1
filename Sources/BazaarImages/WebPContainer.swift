/// The RIFF container of a WebP file (Google's "WebP Container Specification"): a `RIFF` header
/// with the payload's size, `WEBP`, then chunks of a FourCC, a little-endian size and the data
/// padded to an even length. libvips 8.14 writes an EXIF chunk into every WebP, `strip` or not;
/// `stripped` removes the metadata chunks and clears their flags in `VP8X`.
enum WebPContainer {
  /// The chunks that carry metadata, not pixels.
  private static let metadata: Set<String> = ["EXIF", "XMP ", "ICCP"]
  /// `VP8X` flags of those chunks: ICC profile (bit 5), EXIF (bit 3), XMP (bit 2).
  private static let metadataFlags: UInt8 = 0x20 | 0x08 | 0x04

  /// `webp` without its EXIF, XMP and ICC chunks; nil when it is not a well-formed container.
  static func stripped(_ webp: [UInt8]) -> [UInt8]? {
    guard webp.count >= 12, webp.starts(with: Array("RIFF".utf8)), Array(webp[8..<12]) == Array("WEBP".utf8) else {
      return nil
    }
    var chunks: [UInt8] = []
    var at = 12
    while at < webp.count {
      guard at + 8 <= webp.count else { return nil }
      let name = String(decoding: webp[at..<at + 4], as: UTF8.self)
      let size = Int(littleEndian: webp[at + 4..<at + 8])
      let end = at + 8 + size + size % 2
      guard end <= webp.count || (end == webp.count + 1 && size % 2 == 1) else { return nil }
      if !metadata.contains(name) {
        var chunk = Array(webp[at..<min(end, webp.count)])
        if name == "VP8X", chunk.count > 8 { chunk[8] &= ~metadataFlags }
        chunks += chunk
      }
      at = end
    }
    return Array("RIFF".utf8) + littleEndian(UInt32(4 + chunks.count)) + Array("WEBP".utf8) + chunks
  }

  private static func littleEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }
}

extension Int {
  /// The unsigned little-endian number in four bytes.
  fileprivate init(littleEndian bytes: ArraySlice<UInt8>) {
    self = bytes.reversed().reduce(0) { $0 << 8 | Int($1) }
  }
}
