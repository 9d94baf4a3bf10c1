/// Where a browser that called a function should go next: a callback from a payment page
/// answers a person, not a program. Over HTTP, to a request that accepts `text/html`, the
/// gateway redirects (303) to `returnURL` with `parameters` added to its query, or, without a
/// `returnURL`, shows `message` as a small HTML page; every other caller gets the JSON answer.
package struct Navigation: Sendable {
  package var returnURL: String?
  package var parameters: [(String, String)]
  package var title: String
  package var message: String

  package init(returnURL: String?, parameters: [(String, String)], title: String, message: String) {
    self.returnURL = returnURL
    self.parameters = parameters
    self.title = title
    self.message = message
  }
}

/// An answer a browser follows (see `Navigation`).
package protocol BrowserNavigation {
  var navigation: Navigation { get }
}
