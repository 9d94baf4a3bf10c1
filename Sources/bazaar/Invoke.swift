internal import ArgumentParser
internal import BazaarLive

/// `bazaar invoke NAME`: one JSON object in on stdin, one JSON object out on stdout.
struct Invoke: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one function: JSON object on stdin, JSON object on stdout, JSON logs on stderr.",
    discussion: """
      The caller's token comes from --token, else BAZAAR_TOKEN, else HTTP_AUTHORIZATION \
      ("Bearer …"). Exit codes: 0 ok, 64 usage, 65 refused, 70 internal, 75 retry later, \
      77 unauthenticated or forbidden.
      """
  )

  @Argument(help: "The function's name (see `bazaar functions`).")
  var name: String

  @Option(help: "A bearer token for the call (overrides BAZAAR_TOKEN and HTTP_AUTHORIZATION).")
  var token: String?

  func run() throws {
    let code = FunctionProcess.invoke(name: name, token: token, adapters: adapters)
    if code != 0 { throw ExitCode(code) }
  }
}
