import BazaarCore
import BazaarTesting
import Testing

/// A processor that reads a size from the upload's bytes 4…11 and "encodes" each rendition as
/// its width and format after the upload's bytes: deterministic, so one upload twice makes the
/// same digests, as libvips does.
struct ScriptedImages: ImageProcessor {
  var isAvailable: Bool { true }

  func size(of image: [UInt8], format: ImageFormat) throws(ImageUnreadable) -> (width: Int, height: Int) {
    guard image.count >= 12 else { throw ImageUnreadable("short") }
    let number = { (at: Int) in image[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (number(4), number(8))
  }

  func render(
    _ image: [UInt8], format: ImageFormat, widths: [Int], fallbackWidth: Int
  ) throws(ImageUnreadable) -> [EncodedImage] {
    let (width, height) = try size(of: image, format: format)
    return (widths.map { ($0, ImageFormat.webp) } + [(fallbackWidth, .jpeg)]).map { target, kind in
      let bytes = image + Array("\(target)\(kind)".utf8)
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
      let digest = String(repeating: String(hash, radix: 16).padding(toLength: 16, withPad: "0"), count: 4)
      let rendition = Rendition(
        width: target, height: height * target / width, format: kind, digest: digest, byteCount: bytes.count)
      return EncodedImage(rendition: rendition, bytes: bytes)
    }
  }
}

extension String {
  fileprivate func padding(toLength length: Int, withPad pad: Character) -> String {
    count >= length ? String(prefix(length)) : String(repeating: pad, count: length - count) + self
  }
}

/// Photos over the real SQLite store with a scripted processor: what is refused before any
/// decoding, what is stored once, and what a deletion or a reorder does.
@Suite struct ImageTests {
  let harness = AccountsHarness()
  let seller: AccessClaims
  var catalog: ProductCatalog {
    ProductCatalog(store: harness.store, ids: harness.ids, clock: harness.clock, images: ScriptedImages())
  }

  init() throws {
    _ = try harness.sellers.register(
      .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517"))
    seller = try harness.sellers.login(email: "shop@example.com", password: "correct horse").0.claims
  }

  /// A "JPEG" of `width` × `height` by its signature and the scripted header.
  static func jpeg(_ width: Int, _ height: Int, salt: UInt8 = 0) -> [UInt8] {
    let number = { (value: Int) in (0..<4).reversed().map { UInt8((value >> ($0 * 8)) & 0xFF) } }
    return [0xFF, 0xD8, 0xFF, salt] + number(width) + number(height)
  }

  func product() throws -> Product {
    try catalog.create(by: seller, .init(name: "Apples", description: "", price: 30_000, stock: 5))
  }

  @Test func renditionsAreTheWidthsBelowTheOriginalPlusItsOwnUpToTheWidest() {
    #expect(ImageRules.renditionWidths(for: 4000) == [320, 640, 1280])
    #expect(ImageRules.renditionWidths(for: 1280) == [320, 640, 1280])
    #expect(ImageRules.renditionWidths(for: 1000) == [320, 640, 1000])
    #expect(ImageRules.renditionWidths(for: 320) == [320])
    #expect(ImageRules.renditionWidths(for: 100) == [100])
  }

  @Test func theTypeIsJudgedByTheBytesNotTheName() {
    #expect(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
    #expect(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
    #expect(ImageFormat(sniffing: Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
    #expect(ImageFormat(sniffing: Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)) == nil)
    #expect(ImageFormat(sniffing: Array("GIF89a".utf8)) == nil)
    #expect(ImageFormat(contentType: "image/jpeg; charset=binary") == .jpeg)
    #expect(ImageFormat(contentType: "image/svg+xml") == nil)
  }

  @Test func anUploadIsStoredOnceHoweverOftenItIsSent() throws {
    let apples = try product()
    let first = try catalog.uploadImage(
      apples.id.rawValue, by: seller, .init(bytes: Self.jpeg(2000, 1500), declaredType: "image/jpeg", alt: " 사과 "))
    #expect(first.image.alt == "사과" && first.image.width == 2000)
    #expect(first.image.renditions.map(\.width) == [320, 640, 1280, 1280])
    #expect(first.image.renditions.map(\.format) == [.webp, .webp, .webp, .jpeg])
    let second = try catalog.uploadImage(
      apples.id.rawValue, by: seller, .init(bytes: Self.jpeg(2000, 1500), declaredType: nil, alt: nil))
    #expect(second.product.images.map(\.id) == [first.image.id, second.image.id])
    #expect(try harness.store.mediaRows() == 4)
    let name = first.image.renditions[0].digest + ".webp"
    #expect(try catalog.media(name).bytes.count == first.image.renditions[0].byteCount)
    #expect(throws: CatalogError.mediaNotFound) { try catalog.media(first.image.renditions[0].digest + ".jpg") }
    // Deleting one keeps the bytes the other uses; deleting both removes them.
    _ = try catalog.deleteImage(apples.id.rawValue, first.image.id.rawValue, by: seller)
    #expect(try harness.store.mediaRows() == 4)
    let emptied = try catalog.deleteImage(apples.id.rawValue, second.image.id.rawValue, by: seller)
    #expect(try emptied.images.isEmpty && harness.store.mediaRows() == 0)
    #expect(throws: CatalogError.mediaNotFound) { try catalog.media(name) }
  }

  @Test func refusalsComeBeforeAnythingIsStored() throws {
    let apples = try product()
    let id = apples.id.rawValue
    let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.jpeg(10, 10).dropFirst(4)
    #expect(throws: CatalogError.unsupportedImage(declared: "image/jpeg", found: .png)) {
      try catalog.uploadImage(id, by: seller, .init(bytes: Array(png), declaredType: "image/jpeg", alt: nil))
    }
    #expect(throws: CatalogError.unsupportedImage(declared: "image/svg+xml", found: nil)) {
      try catalog.uploadImage(
        id, by: seller, .init(bytes: Array("<svg/>".utf8), declaredType: "image/svg+xml", alt: nil))
    }
    #expect(throws: CatalogError.imageTooLarge(width: 8000, height: 5001)) {
      try catalog.uploadImage(id, by: seller, .init(bytes: Self.jpeg(8000, 5001), declaredType: nil, alt: nil))
    }
    #expect(throws: CatalogError.imageUnreadable("short")) {
      try catalog.uploadImage(id, by: seller, .init(bytes: [0xFF, 0xD8, 0xFF], declaredType: nil, alt: nil))
    }
    #expect(throws: CatalogError.imageBytesTooMany(limit: ImageRules.maxBytes)) {
      try catalog.uploadImage(
        id, by: seller,
        .init(bytes: Self.jpeg(10, 10) + Array(repeating: 0, count: ImageRules.maxBytes), declaredType: nil, alt: nil))
    }
    #expect(throws: CatalogError.imagesUnavailable) {
      try harness.catalog.uploadImage(id, by: seller, .init(bytes: Self.jpeg(10, 10), declaredType: nil, alt: nil))
    }
    #expect(try catalog.product(id).images.isEmpty && harness.store.mediaRows() == 0)
  }

  @Test func aProductTakesTenPhotos() throws {
    let apples = try product()
    for salt in 0..<UInt8(ImageRules.maxImages) {
      _ = try catalog.uploadImage(
        apples.id.rawValue, by: seller, .init(bytes: Self.jpeg(100, 100, salt: salt), declaredType: nil, alt: nil))
    }
    #expect(throws: CatalogError.tooManyImages(limit: ImageRules.maxImages)) {
      try catalog.uploadImage(
        apples.id.rawValue, by: seller, .init(bytes: Self.jpeg(100, 100, salt: 99), declaredType: nil, alt: nil))
    }
    #expect(try harness.store.mediaRows() == 2 * ImageRules.maxImages)
  }

  @Test func ownersReorderDescribeAndPointVariantsAtPhotos() throws {
    let shirt = try catalog.create(
      by: seller,
      .init(
        name: "Shirt", description: "", price: nil, stock: nil,
        options: [ProductOption(name: "색", values: ["흰색", "검정"])],
        variants: [
          VariantRequest(optionValues: ["색": "흰색"], price: 19_000, stock: 1),
          VariantRequest(optionValues: ["색": "검정"], price: 19_000, stock: 1),
        ]))
    let id = shirt.id.rawValue
    let white = try catalog.uploadImage(
      id, by: seller, .init(bytes: Self.jpeg(800, 800, salt: 1), declaredType: nil, alt: nil)
    ).image
    let black = try catalog.uploadImage(
      id, by: seller, .init(bytes: Self.jpeg(800, 800, salt: 2), declaredType: nil, alt: nil)
    ).image
    let reordered = try catalog.update(
      id, by: seller, .init(imageIDs: [black.id.rawValue, white.id.rawValue], imageAlt: [white.id.rawValue: "흰 셔츠"]))
    #expect(reordered.images.map(\.id) == [black.id, white.id] && reordered.images[1].alt == "흰 셔츠")
    #expect(throws: FieldError.self) { try catalog.update(id, by: seller, .init(imageIDs: [black.id.rawValue])) }
    let variant = shirt.variants[0].id.rawValue
    let pointed = try catalog.updateVariant(id, variant, by: seller, .init(imageID: .set(white.id.rawValue)))
    #expect(pointed.variant.imageID == white.id)
    #expect(throws: FieldError.self) {
      try catalog.updateVariant(id, variant, by: seller, .init(imageID: .set("img_01aaaaaaaaaaaaaaaaaaaaaaaa")))
    }
    let after = try catalog.deleteImage(id, white.id.rawValue, by: seller)
    #expect(after.images.map(\.id) == [black.id] && after.variants.allSatisfy { $0.imageID == nil })
    #expect(throws: CatalogError.imageNotFound) { try catalog.deleteImage(id, white.id.rawValue, by: seller) }
  }
}
