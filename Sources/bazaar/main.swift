internal import ArgumentParser

#if canImport(Glibc)
  internal import Glibc
#endif

// `functions/NAME` shims run `bazaar invoke NAME` once per request: keep that path lean.
if let code = Invoke.fastPath(CommandLine.arguments) {
  exit(code)
}
Bazaar.main()
