internal import BazaarLive
internal import BazaarRunners
internal import BazaarServer

#if canImport(Glibc)
  internal import Glibc
#endif

// A web server runs the binary (the whole route table) or a link named after one function as
// a CGI script: no arguments, GATEWAY_INTERFACE set.
if FunctionProcess.isCGIRequest(CommandLine.arguments) {
  exit(
    FunctionProcess.cgi(
      only: FunctionProcess.invokedFunction(CommandLine.arguments), adapters: adapters))
}
// `bazaar invoke NAME [--token T]` (and a link named after a function) skip argument-parser's
// reflection, which costs several milliseconds per process.
let arguments = FunctionProcess.normalized(CommandLine.arguments)
if let code = FunctionProcess.fastPath(arguments, adapters: adapters) {
  exit(code)
}
// Servers run their tasks on NIO's event loops (see `ShopServer.runTasksOnEventLoops`).
if ["serve", "up", "fcgi"].contains(arguments.dropFirst().first ?? "") {
  if !ShopServer.runTasksOnEventLoops() { writeLine("bazaar: tasks stay on the default executor", to: 2) }
}
await Bazaar.mainAsync(Array(arguments.dropFirst()))
