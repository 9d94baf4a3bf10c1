internal import BazaarCore
internal import BazaarJSON

/// `MediaRepository` over `media`: one row per distinct rendition, its bytes and how many
/// photos use it.
struct SQLMediaRepository: MediaRepository {
  let sql: any SQLConnection

  func retain(_ image: EncodedImage) throws {
    let rendition = image.rendition
    try sql.execute(
      """
      INSERT INTO media (digest, format, byte_count, bytes, uses) VALUES (?, ?, ?, ?, 1)
      ON CONFLICT (digest) DO UPDATE SET uses = media.uses + 1
      """,
      [rendition.digest, rendition.format.rawValue, image.bytes.count, SQLBytes(image.bytes)])
  }

  func release(_ digest: String) throws {
    // The last use deletes the row; any other counts down what is left.
    if try sql.execute("DELETE FROM media WHERE digest = ? AND uses = 1", [digest]) == 0 {
      try sql.execute("UPDATE media SET uses = uses - 1 WHERE digest = ?", [digest])
    }
  }

  func media(_ digest: String) throws -> StoredMedia? {
    try sql.queryOne("SELECT format, bytes FROM media WHERE digest = ?", [digest]) { row in
      ImageFormat(rawValue: row.text(0)).map { StoredMedia(format: $0, bytes: row.bytes(1)) }
    } ?? nil
  }
}

extension SQLProductRepository {
  /// A product's photos as JSON: [{"id", "width", "height", "alt", "renditions": [{"width",
  /// "height", "format", "digest", "bytes"}]}].
  static func imagesText(_ images: [ProductImage]) -> String {
    guard !images.isEmpty else { return "[]" }
    return JSONValue.array(
      images.map { image in
        [
          "id": .string(image.id.rawValue), "width": .integer(Int64(image.width)),
          "height": .integer(Int64(image.height)), "alt": .string(image.alt),
          "renditions": .array(
            image.renditions.map { rendition in
              [
                "width": .integer(Int64(rendition.width)), "height": .integer(Int64(rendition.height)),
                "format": .string(rendition.format.rawValue), "digest": .string(rendition.digest),
                "bytes": .integer(Int64(rendition.byteCount)),
              ]
            }),
        ]
      }
    ).serialized
  }

  /// The photos a row holds as JSON; none when the text is not such JSON (only this file writes it).
  static func images(_ text: String) -> [ProductImage] {
    guard text != "[]", case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
    return items.compactMap { item in
      guard let id = item["id"]?.stringValue, let width = item["width"]?.intValue,
        let height = item["height"]?.intValue, case .array(let renditions)? = item["renditions"]
      else { return nil }
      return ProductImage(
        id: ImageID(rawValue: id), width: Int(width), height: Int(height), alt: item["alt"]?.stringValue ?? "",
        renditions: renditions.compactMap { rendition in
          guard let width = rendition["width"]?.intValue, let height = rendition["height"]?.intValue,
            let format = rendition["format"]?.stringValue.flatMap(ImageFormat.init(rawValue:)),
            let digest = rendition["digest"]?.stringValue, let bytes = rendition["bytes"]?.intValue
          else { return nil }
          return Rendition(
            width: Int(width), height: Int(height), format: format, digest: digest, byteCount: Int(bytes))
        })
    }
  }
}
