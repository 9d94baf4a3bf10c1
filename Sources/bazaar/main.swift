internal import ArgumentParser
internal import BazaarFunctions

#if canImport(Glibc)
  internal import Glibc
#endif

// A web server runs `functions/NAME` (one function) or the binary itself (the whole route
// table) as a CGI script: no arguments, GATEWAY_INTERFACE set.
if CGI.isCGIRequest(CommandLine.arguments) {
  let invokedAs = CommandLine.arguments[0].split(separator: "/").last.map(String.init) ?? ""
  exit(CGI.serve(only: FunctionCatalog.named(invokedAs)))
}
// `functions/NAME` links run `bazaar invoke NAME` once per request: keep that path lean.
let arguments = Invoke.normalized(CommandLine.arguments)
if let code = Invoke.fastPath(arguments) {
  exit(code)
}
await Bazaar.mainAsync(Array(arguments.dropFirst()))
