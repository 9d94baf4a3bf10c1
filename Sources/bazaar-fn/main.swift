internal import BazaarFunctions
internal import BazaarLive
internal import BazaarRunners

#if canImport(Glibc)
  internal import Glibc
#endif

// `bazaar-fn`: what the `functions/NAME` links start. It runs one function per process, the
// shell way or as a CGI program, and links none of the HTTP runner, the queue library or the
// command-line parser, so a request pays for less start-up (docs/benchmarks.md). Everything
// else is `bazaar`.
let arguments = CommandLine.arguments
// The payment functions, and every function of a shop on PostgreSQL, run in `bazaar`, which
// links the KakaoPay adapter and libpq: the same argv (so it dispatches on the same function
// name), environment and stdin, in this process's place.
if FunctionProcess.needsFullBinary(arguments) {
  let full = FunctionProcess.sibling(named: "bazaar")
  if let full {
    var argv = arguments.map { strdup($0) } + [nil]
    execv(full, &argv)
  }
  writeLine(
    "\(arguments[0]): cannot start \(full ?? "bazaar beside bazaar-fn"), which runs the payment functions and "
      + "PostgreSQL shops", to: 2)
  exit(71)  // EX_OSERR
}
if FunctionProcess.isCGIRequest(arguments) {
  exit(FunctionProcess.cgi(only: FunctionProcess.invokedFunction(arguments), adapters: .none))
}
if let code = FunctionProcess.fastPath(FunctionProcess.normalized(arguments), adapters: .none) {
  exit(code)
}
let name = FunctionProcess.invokedFunction(arguments)?.name ?? "bazaar-fn"
let usage = """
  usage: \(name) [--token TOKEN] < input.json   (a functions/NAME link)
         bazaar-fn invoke NAME [--token TOKEN] < input.json
  One JSON object in on stdin, one out on stdout; `bazaar invoke --help` has the details.
  """
let asksForHelp = arguments.dropFirst().contains { $0 == "--help" || $0 == "-h" }
let complaint = "\(name): unknown arguments: " + arguments.dropFirst().joined(separator: " ")
writeLine(asksForHelp ? usage : complaint + "\n" + usage, to: 2)
exit(asksForHelp ? 0 : 64)  // EX_USAGE
