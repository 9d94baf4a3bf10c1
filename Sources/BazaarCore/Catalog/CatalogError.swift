/// Why a catalog use case refused a request.
package enum CatalogError: Error, Equatable, Sendable {
  /// No live product has this id (it never existed, was deleted, or its seller is gone).
  case productNotFound
  /// The product has no live variant with this id.
  case variantNotFound
  /// The product belongs to another seller.
  case notProductOwner
  /// The stock asked for is below what open orders hold.
  case stockBelowReserved(requested: Int64, reserved: Int64)
  /// Adding to the current stock would leave it outside 0…1,000,000: the request is well
  /// formed, the product's present count makes it impossible (so 409, not 422).
  case stockOutOfRange(requested: Int64)
  /// Another live variant of the seller's has this SKU.
  case skuTaken(String)
  /// A live variant of the product already has this combination of option values.
  case variantExists
  /// The product already has as many variants as a product may.
  case tooManyVariants(limit: Int)
  /// The variant is the product's last: a product always has one (delete the product instead).
  case lastVariant
  /// This program takes no photos: it links no image processor.
  case imagesUnavailable
  /// The product has no photo with this id.
  case imageNotFound
  /// No stored rendition has this name.
  case mediaNotFound
  /// The product already has as many photos as a product may.
  case tooManyImages(limit: Int)
  /// The upload is no JPEG, PNG or WebP, or not the type its request declared.
  case unsupportedImage(declared: String?, found: ImageFormat?)
  /// The upload declares more pixels than a photo may have.
  case imageTooLarge(width: Int, height: Int)
  /// The upload's bytes exceed `ImageRules.maxBytes`.
  case imageBytesTooMany(limit: Int)
  /// The upload could not be decoded.
  case imageUnreadable(String)
}
