internal import ArgumentParser

/// `bazaar-bench`: measurements whose ratios go into docs/benchmarks.md. A program of its own,
/// so the shop's binary carries no benchmark code.
@main
struct BazaarBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bazaar-bench", abstract: "Run a benchmark and print its figures as JSON.",
    subcommands: [
      SpoolBench.self, SpoolLatencyBench.self, SpoolBacklogBench.self, CatalogBench.self, HandlerBench.self,
      QueueBackendsBench.self,
    ])
}
