internal import ArgumentParser

#if canImport(Glibc)
  internal import Glibc
#endif

// `functions/NAME` links run `bazaar invoke NAME` once per request: keep that path lean.
let arguments = Invoke.normalized(CommandLine.arguments)
if let code = Invoke.fastPath(arguments) {
  exit(code)
}
Bazaar.main(Array(arguments.dropFirst()))
