/// The photo use cases: an owner uploads, orders, describes and deletes the photos of its own
/// products. An upload is checked and rendered outside any transaction (rendering takes tens
/// of milliseconds, and no writer waits on it); the photo and its renditions are then saved
/// with the product in one (`modifyOwned`).
extension ProductCatalog {
  /// Adds a photo to a product the caller owns: the type judged by its bytes, its size by its
  /// header before anything is decoded, then its renditions made and stored by digest.
  package func uploadImage(
    _ rawID: String, by caller: AccessClaims, _ upload: ImageUpload
  ) throws -> (product: Product, image: ProductImage) {
    guard let processor = images, processor.isAvailable else { throw CatalogError.imagesUnavailable }
    guard upload.bytes.count <= ImageRules.maxBytes else {
      throw CatalogError.imageBytesTooMany(limit: ImageRules.maxBytes)
    }
    let found = ImageFormat(sniffing: upload.bytes)
    // A declared type must name the format found; no declaration leaves the bytes to judge.
    let declaredMatches = upload.declaredType.map { ImageFormat(contentType: $0) == found } ?? true
    guard let format = found, declaredMatches else {
      throw CatalogError.unsupportedImage(declared: upload.declaredType, found: found)
    }
    let alt = try upload.alt.map { try ImageRules.alt($0) } ?? ""
    // Refuse what would be refused anyway before spending a render on it.
    _ = try ownedProduct(rawID, by: caller) { product in
      guard product.images.count < ImageRules.maxImages else {
        throw CatalogError.tooManyImages(limit: ImageRules.maxImages)
      }
    }
    let size: (width: Int, height: Int)
    let encoded: [EncodedImage]
    do {
      size = try processor.size(of: upload.bytes, format: format)
      guard size.width > 0, size.height > 0, size.width * size.height <= ImageRules.maxPixels else {
        throw CatalogError.imageTooLarge(width: size.width, height: size.height)
      }
      let widths = ImageRules.renditionWidths(for: size.width)
      encoded = try processor.render(upload.bytes, format: format, widths: widths, fallbackWidth: widths.last!)
    } catch let unreadable as ImageUnreadable {
      throw CatalogError.imageUnreadable(unreadable.reason)
    }
    let image = ProductImage(
      id: ImageID(from: ids), width: size.width, height: size.height, alt: alt, renditions: encoded.map(\.rendition))
    let product = try modifyOwned(rawID, by: caller) { product in
      guard product.images.count < ImageRules.maxImages else {
        throw CatalogError.tooManyImages(limit: ImageRules.maxImages)
      }
      product.images.append(image)
    } stored: { tx in
      for rendition in encoded { try tx.media.retain(rendition) }
    }
    return (product, image)
  }

  /// Removes a photo from a product the caller owns; variants that showed it show none, and
  /// its renditions' bytes go once no other photo uses them.
  package func deleteImage(_ rawID: String, _ rawImageID: String, by caller: AccessClaims) throws -> Product {
    try modifyOwned(rawID, by: caller) { product in
      let id = try Self.imageID(rawImageID, in: product)
      product.images.removeAll { $0.id == id }
      let now = clock.now()
      for index in product.variants.indices where product.variants[index].imageID == id {
        product.variants[index].imageID = nil
        product.variants[index].updatedAt = max(product.variants[index].updatedAt, now)
      }
    }
  }

  /// `images` reordered as `order` lists them (every photo once) and with `alt` text set, for
  /// `update`.
  static func arranged(
    _ images: [ProductImage], order: [String]?, alt: [String: String]?
  ) throws -> [ProductImage] {
    var arranged = images
    if let order {
      let ids = order.map { ImageID(rawValue: $0) }
      guard ids.count == images.count, Set(ids) == Set(images.map(\.id)) else {
        throw FieldError(
          field: "imageIds", code: "invalid", message: "imageIds must list each of the product's photos once")
      }
      arranged = ids.map { id in images.first { $0.id == id }! }
    }
    var errors = FieldErrors()
    for (raw, text) in (alt ?? [:]).sorted(by: { $0.key < $1.key }) {
      guard let index = arranged.firstIndex(where: { $0.id.rawValue == raw }) else {
        errors.append(
          FieldError(field: "imageAlt.\(raw)", code: "invalid", message: "the product has no photo \(raw)"))
        continue
      }
      if let text = errors.collect({ try ImageRules.alt(text, field: "imageAlt.\(raw)") }) {
        arranged[index].alt = text
      }
    }
    try errors.throwIfAny()
    return arranged
  }

  /// The id of `product`'s photo `raw` names.
  static func imageID(_ raw: String, in product: Product) throws -> ImageID {
    guard let id = ImageID(checking: raw), product.image(id) != nil else { throw CatalogError.imageNotFound }
    return id
  }

  /// A stored rendition by its media file name (`{digest}.{webp|jpg}`), for anyone: the name's
  /// extension must be the rendition's format.
  package func media(_ fileName: String) throws -> StoredMedia {
    let parts = fileName.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].utf8.count == 64,
      parts[0].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
      let media = try store.read({ try $0.media.media(String(parts[0])) }),
      media.format.fileExtension == parts[1]
    else { throw CatalogError.mediaNotFound }
    return media
  }
}
