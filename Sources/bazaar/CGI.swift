internal import ArgumentParser
internal import BazaarLive

/// `bazaar cgi`: serve one HTTP request as a CGI program (RFC 3875), routing by `PATH_INFO`
/// over the whole route table. A web server runs it (or a `functions/NAME` link, which serves
/// that one function) with the request in meta-variables and the body on standard input.
struct CGI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cgi",
    abstract: "Serve one request as a CGI program: meta-variables and stdin in, a CGI response out.",
    discussion: """
      Routes by REQUEST_METHOD and PATH_INFO (e.g. GET /products/prd_…), merges QUERY_STRING \
      into the input, reads exactly CONTENT_LENGTH bytes, and takes the token from \
      HTTP_AUTHORIZATION. A web server starts this program with no arguments when it is \
      linked as the script (GATEWAY_INTERFACE set); see deploy/.
      """)

  func run() throws {
    let code = FunctionProcess.cgi(only: nil, adapters: adapters)
    if code != 0 { throw ExitCode(code) }
  }
}
