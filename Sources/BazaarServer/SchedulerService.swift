package import BazaarScheduler
package import Logging
internal import NIOPosix
package import ServiceLifecycle
internal import UnixSignals

/// The scheduler loop as a service of a `ServiceGroup` (`bazaar scheduler`, `bazaar up`): it runs
/// on a thread of its own, and a graceful shutdown (SIGTERM, SIGINT) stops it after the event
/// in hand, leaving the rest leased or queued for the next run.
package struct SchedulerService: Service {
  private let loop: SchedulerLoop
  private let logger: Logger

  package init(loop: SchedulerLoop, logger: Logger) {
    self.loop = loop
    self.logger = logger
  }

  package func run() async throws {
    let (loop, logger) = (loop, logger)
    let thread = NIOThreadPool(numberOfThreads: 1)
    thread.start()
    logger.info("scheduler started")
    try await withGracefulShutdownHandler {
      try await thread.runIfActive {
        loop.run(
          report: { report, milliseconds in
            logger.info(
              "scheduler pass",
              metadata: [
                "durationMs": .stringConvertible(milliseconds), "relayed": .stringConvertible(report.relayed),
                "shipmentsRequested": .stringConvertible(report.shipmentsRequested),
                "shipmentsDispatched": .stringConvertible(report.shipmentsDispatched),
                "shipmentsCanceled": .stringConvertible(report.shipmentsCanceled),
                "ordersExpired": .stringConvertible(report.ordersExpired),
                "deadLettered": .stringConvertible(report.deadLettered),
              ])
          },
          failed: { error in
            logger.error("scheduler pass failed", metadata: ["error": "\(String(reflecting: error))"])
          })
      }
    } onGracefulShutdown: {
      loop.stop()
    }
    try await thread.shutdownGracefully()
    logger.info("scheduler stopped")
  }
}

/// Runs `services` in one group until SIGTERM or SIGINT, then shuts them down gracefully.
package enum ServiceRunner {
  package static func run(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
      configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
  }
}
