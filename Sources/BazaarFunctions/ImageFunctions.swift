internal import BazaarCore
internal import BazaarJSON

/// The photo functions: a seller uploads and deletes photos of its own products; anyone
/// fetches a stored rendition.
enum ImageFunctions {
  static let all: [FunctionDefinition] = [uploadProductImage, deleteProductImage, getMedia]

  /// An upload's limits: 10 MiB of file, 14 MiB as base64 JSON (4/3 of it and room for the rest).
  static let uploadBody = FileBody(maxBytes: ImageRules.maxBytes, maxJSONBytes: 14 << 20)

  static let uploadProductImage = FunctionDefinition(
    name: "uploadProductImage",
    summary:
      "Add a photo (JPEG, PNG or WebP, at most 10 MiB and 40 megapixels) to an own product: stored upright, without metadata, as WebP renditions and a JPEG.",
    route: Route("POST", "/products/{id}/images"), auth: .seller,
    successStatus: 201, rendersImages: true, fileBody: uploadBody
  ) { input, context in
    let id = input.string("id")
    let contentType = input.optionalString("contentType")
    let data = input.string("data")
    let alt = input.optionalString("alt")
    try input.finish()
    guard let bytes = Base64.standardDecoded(padded: Substring(data)) else {
      throw FieldError(field: "data", code: "invalid", message: "data must be the file in base64 (RFC 4648 §4)")
    }
    let upload = ImageUpload(bytes: bytes, declaredType: contentType, alt: alt)
    return ImageView(try context.services.catalog.uploadImage(id, by: try context.requireCaller, upload).image)
  }

  static let deleteProductImage = FunctionDefinition(
    name: "deleteProductImage",
    summary: "Remove a photo from an own product; variants that showed it show none.",
    route: Route("DELETE", "/products/{id}/images/{imageId}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let imageID = input.string("imageId")
    try input.finish()
    return ProductView(try context.services.catalog.deleteImage(id, imageID, by: try context.requireCaller))
  }

  static let getMedia = FunctionDefinition(
    name: "getMedia",
    summary: "Fetch a stored photo rendition by its name ({sha256}.webp or .jpg); over HTTP the file itself.",
    route: Route("GET", "/media/{name}"), auth: .public, readsOnly: true
  ) { input, context in
    let name = input.string("name")
    try input.finish()
    let media = try context.services.catalog.media(name)
    return MediaAnswer(digest: String(name.prefix(64)), media: media)
  }
}

/// A photo as handlers return it: its upright size, alt text and renditions with their paths.
struct ImageView: JSONRepresentable {
  var image: ProductImage

  init(_ image: ProductImage) {
    self.image = image
  }

  var json: JSONValue {
    [
      "id": .string(image.id.rawValue), "width": .integer(Int64(image.width)),
      "height": .integer(Int64(image.height)), "alt": .string(image.alt),
      "renditions": .array(
        image.renditions.map { rendition in
          [
            "width": .integer(Int64(rendition.width)), "height": .integer(Int64(rendition.height)),
            "format": .string(rendition.format.rawValue), "url": .string(rendition.path),
            "bytes": .integer(Int64(rendition.byteCount)),
          ]
        }),
    ]
  }
}

/// A stored rendition: over HTTP its bytes, kept by caches for a year (its name is its
/// content's hash, so it never changes); from the shell `{name, contentType, bytes, data}`.
struct MediaAnswer: FileAnswer {
  var digest: String
  var media: StoredMedia

  var contentType: String { media.format.contentType }
  var bytes: [UInt8] { media.bytes }
  var entityTag: String { "\"\(digest)\"" }
  var cacheControl: String { "public, max-age=31536000, immutable" }

  var json: JSONValue {
    [
      "name": .string("\(digest).\(media.format.fileExtension)"), "contentType": .string(contentType),
      "bytes": .integer(Int64(media.bytes.count)), "data": .string(Base64.standardPadded(media.bytes)),
    ]
  }
}
