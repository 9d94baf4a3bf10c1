internal import BazaarFunctions

/// How a `Navigation` reaches a browser (a request that accepts `text/html`): a 303 to the
/// shop's return page, or a small HTML page of its own. Other callers (scripts, `curl`) get the
/// JSON. The page's text is always escaped, its Content-Security-Policy allows nothing to run,
/// and it is never cached.
enum BrowserPage {
  struct Answer {
    var status: Int
    var contentType: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
  }

  /// The browser's answer for `navigation`; nil when the caller wants the JSON.
  static func answer(_ navigation: Navigation, accept: String?) -> Answer? {
    guard let accept, accept.lowercased().contains("text/html") else { return nil }
    let noStore = ("Cache-Control", "no-store")
    if let returnURL = navigation.returnURL {
      let separator = returnURL.contains("?") ? "&" : "?"
      let query = navigation.parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
      let location = returnURL + separator + query
      let body = page(navigation, link: location)
      return Answer(
        status: 303, contentType: "text/html; charset=utf-8", headers: [("Location", location), noStore], body: body)
    }
    return Answer(
      status: 200, contentType: "text/html; charset=utf-8",
      headers: [noStore, ("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'")],
      body: page(navigation, link: nil))
  }

  private static func page(_ navigation: Navigation, link: String?) -> [UInt8] {
    var html = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escape(navigation.title))</title></head>
      <body><h1>\(escape(navigation.title))</h1><p id="message">\(escape(navigation.message))</p>
      """
    for (name, value) in navigation.parameters {
      html += "<p><span>\(escape(name))</span>: <output id=\"\(escape(name))\">\(escape(value))</output></p>"
    }
    if let link { html += "<p><a href=\"\(escape(link))\">Continue</a></p>" }
    html += "</body></html>\n"
    return Array(html.utf8)
  }

  /// `text` safe inside HTML text and double-quoted attributes.
  static func escape(_ text: String) -> String {
    var escaped = ""
    for character in text {
      switch character {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      default: escaped.append(character)
      }
    }
    return escaped
  }

  /// `text` percent-encoded for a query component (RFC 3986 unreserved characters kept).
  static func encode(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        encoded.append(Character(Unicode.Scalar(byte)))
      default:
        let hex = Array("0123456789ABCDEF")
        encoded += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
      }
    }
    return encoded
  }
}
