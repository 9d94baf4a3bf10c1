/// A photo of a product as the shop keeps it: the upright size of the upload and the
/// renditions made of it (WebP at a few widths and a JPEG fallback), each addressed by the
/// SHA-256 of its bytes. The upload itself is not kept: it may carry the seller's position.
package struct ProductImage: Equatable, Sendable {
  package var id: ImageID
  /// The upright size of the upload, in pixels.
  package var width: Int
  package var height: Int
  /// Words for people who cannot see it; empty when the seller gave none.
  package var alt: String
  /// Narrowest first, the JPEG fallback last.
  package var renditions: [Rendition]

  package init(id: ImageID, width: Int, height: Int, alt: String, renditions: [Rendition]) {
    self.id = id
    self.width = width
    self.height = height
    self.alt = alt
    self.renditions = renditions
  }
}

/// One encoded size of a photo: what `GET /media/{digest}.{ext}` serves.
package struct Rendition: Equatable, Sendable {
  package var width: Int
  package var height: Int
  package var format: ImageFormat
  /// The SHA-256 of its bytes, in lower-case hex: its name and its `ETag`.
  package var digest: String
  package var byteCount: Int

  package init(width: Int, height: Int, format: ImageFormat, digest: String, byteCount: Int) {
    self.width = width
    self.height = height
    self.format = format
    self.digest = digest
    self.byteCount = byteCount
  }

  /// Where the shop serves it.
  package var path: String { "/media/\(digest).\(format.fileExtension)" }
}

/// The image formats the shop reads, judged by a file's first bytes, never by its name or
/// its declared type.
package enum ImageFormat: String, Sendable, CaseIterable {
  case jpeg
  case png
  case webp

  /// The format whose signature `bytes` starts with: JPEG's SOI marker, PNG's eight-byte
  /// signature, or a RIFF container of type `WEBP`; nil for anything else (SVG, GIF, HEIC…).
  package init?(sniffing bytes: [UInt8]) {
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
      self = .jpeg
    } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
      self = .png
    } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
      self = .webp
    } else {
      return nil
    }
  }

  /// The format a `Content-Type` names (parameters ignored), if it is one of these.
  package init?(contentType: String) {
    let type = contentType.split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
    guard let format = Self.allCases.first(where: { $0.contentType == type }) else { return nil }
    self = format
  }

  package var contentType: String { "image/\(rawValue)" }

  /// The extension of its media path.
  package var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
}

/// What a shop may take as a photo, and which renditions it makes of one.
package enum ImageRules {
  /// Photos a product may have.
  package static let maxImages = 10
  /// The largest upload, in bytes (10 MiB).
  package static let maxBytes = 10 << 20
  /// The most pixels an upload may declare (40 megapixels): a larger one is refused from its
  /// header, before anything is decoded (a decompression bomb declares millions).
  package static let maxPixels = 40_000_000
  /// The WebP widths made of a photo wider than each.
  package static let widths = [320, 640, 1280]
  /// The longest alt text, in characters.
  package static let maxAltLength = 500

  /// The WebP widths for an upright photo `width` pixels wide: each of `widths` it is wider
  /// than, and its own width when that is at most the widest (a photo is never upscaled).
  package static func renditionWidths(for width: Int) -> [Int] {
    let smaller = widths.filter { $0 < width }
    return width <= widths.last! ? smaller + [width] : smaller
  }

  /// Alt text of at most `maxAltLength` characters as sent, trimmed.
  package static func alt(_ text: String, field: String = "alt") throws(FieldError) -> String {
    guard text.unicodeScalars.count <= maxAltLength else {
      throw FieldError(field: field, code: "too_long", message: "\(field) is at most \(maxAltLength) characters")
    }
    return text.trimmingWhitespace()
  }
}

/// What a seller uploads: the bytes, the type the request declared, and alt text.
package struct ImageUpload: Sendable {
  package var bytes: [UInt8]
  /// The declared `Content-Type` (HTTP) or `contentType` (JSON); nil when none was given.
  package var declaredType: String?
  package var alt: String?

  package init(bytes: [UInt8], declaredType: String?, alt: String?) {
    self.bytes = bytes
    self.declaredType = declaredType
    self.alt = alt
  }
}
