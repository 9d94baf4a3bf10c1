import BazaarSite
import Testing

/// The browser site as compiled in: every reference resolves, and nothing in it can run text as code.
@Suite struct SiteTests {
  func text(_ path: String) throws -> String {
    String(decoding: try #require(Site.file(at: path)).body, as: UTF8.self)
  }

  /// `/assets/…` paths named by `src`/`href` attributes and `./x.js` module imports.
  func references(in path: String) throws -> [String] {
    let body = try text(path)
    var found: [String] = []
    for marker in ["src=\"", "href=\""] {
      for piece in body.split(separator: marker, omittingEmptySubsequences: false).dropFirst() {
        let target = String(piece.prefix { $0 != "\"" })
        if target.hasPrefix("/") { found.append(target) }
      }
    }
    for piece in body.split(separator: "from \"./", omittingEmptySubsequences: false).dropFirst() {
      found.append("/assets/" + piece.prefix { $0 != "\"" })
    }
    return found
  }

  @Test func everyReferenceIsServed() throws {
    var seen: Set<String> = []
    var queue = ["/", "/seller", "/operator"]
    while let path = queue.popLast() {
      guard seen.insert(path).inserted else { continue }
      let file = try #require(Site.file(at: path), "\(path) is referenced but not served")
      #expect(!file.body.isEmpty)
      if file.contentType.hasPrefix("text/html") || file.contentType.hasPrefix("text/javascript") {
        queue += try references(in: path).filter { $0.hasPrefix("/assets/") || $0 == "/favicon.ico" }
      }
    }
    #expect(seen == Set(Site.paths), "every served file is used, every used file served")
  }

  @Test func pagesHoldNoInlineScriptStyleOrHandlers() throws {
    for path in Site.paths where Site.file(at: path)!.isPage {
      let page = try text(path)
      let scripts = page.split(separator: "<script").dropFirst()
      #expect(scripts.allSatisfy { $0.prefix { $0 != ">" }.contains("src=") }, "\(path): a script without src")
      #expect(!page.contains("style="), "\(path): an inline style")
      #expect(!page.contains(" on"), "\(path): an inline event handler")
    }
  }

  @Test func modulesNeverTurnTextIntoMarkupOrCode() throws {
    let sinks = [
      "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "javascript:",
    ]
    for path in Site.paths where path.hasSuffix(".js") {
      let module = try text(path)
      for sink in sinks { #expect(!module.contains(sink), "\(path) uses \(sink)") }
    }
  }

  @Test func validatorsFollowTheBytes() throws {
    let etags = Site.paths.map { Site.file(at: $0)!.etag }
    #expect(Set(etags).count == etags.count)
    #expect(etags.allSatisfy { $0.count == 18 && $0.hasPrefix("\"") && $0.hasSuffix("\"") })
  }

  @Test func thePolicyAllowsNoInlineScript() {
    let policy = Site.contentSecurityPolicy
    #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self';"))
    #expect(!policy.contains("unsafe"))
  }
}
