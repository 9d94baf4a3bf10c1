/// The shop's browser pages, compiled into the binary: plain HTML, one style sheet and small
/// ES modules that call the same JSON API as any client (no build step, no templates).
///
/// `/` is the storefront, `/seller` the seller console, `/operator` the operator page; the
/// modules and the style sheet live under `/assets/`.
package enum Site {
  /// One file the runner serves as it is.
  package struct File: Sendable {
    package var contentType: String
    package var body: [UInt8]
    /// A strong validator of `body` (a hash of it, quoted), for `If-None-Match`.
    package var etag: String
    /// Whether it is an HTML page (never cached: pages show personal data once their script runs).
    package var isPage: Bool
  }

  /// The file served at `path`, if any.
  package static func file(at path: String) -> File? { files[path] }

  /// Every path the site serves, sorted (for tests and the page-weight benchmark).
  package static var paths: [String] { files.keys.sorted() }

  /// The `Content-Security-Policy` of every page: scripts and styles from this origin only (no
  /// inline script or style), JSON calls to this origin only, images from this origin or https.
  package static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; "
    + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

  private static let html = "text/html; charset=utf-8"
  private static let javaScript = "text/javascript; charset=utf-8"

  private static let files: [String: File] = {
    let table: [(String, String, [UInt8])] = [
      ("/", html, PackageResources.index_html),
      ("/seller", html, PackageResources.seller_html),
      ("/operator", html, PackageResources.operator_html),
      ("/assets/style.css", "text/css; charset=utf-8", PackageResources.style_css),
      ("/assets/api.js", javaScript, PackageResources.api_js),
      ("/assets/ui.js", javaScript, PackageResources.ui_js),
      ("/assets/cart.js", javaScript, PackageResources.cart_js),
      ("/assets/catalog.js", javaScript, PackageResources.catalog_js),
      ("/assets/shop.js", javaScript, PackageResources.shop_js),
      ("/assets/seller.js", javaScript, PackageResources.seller_js),
      ("/assets/variants.js", javaScript, PackageResources.variants_js),
      ("/assets/photos.js", javaScript, PackageResources.photos_js),
      ("/assets/operator.js", javaScript, PackageResources.operator_js),
      ("/favicon.ico", "image/svg+xml", PackageResources.favicon_svg),
    ]
    var files: [String: File] = [:]
    for (path, type, body) in table {
      files[path] = File(contentType: type, body: body, etag: etag(body), isPage: type == html)
    }
    return files
  }()

  /// `"<FNV-1a 64 of body, hex>"`.
  private static func etag(_ body: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in body {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
  }
}
