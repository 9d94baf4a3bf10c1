internal import ArgumentParser
internal import BazaarOperations

extension QueueCommand {
  /// `bazaar queue stats [QUEUE]`.
  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Count messages by state: ready, delayed, in flight, done, dead, and the oldest ready age.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue (default: every queue).") var queue: String?

    func run() throws {
      try options.respond { try $0.stats(queue) }
    }
  }

  /// `bazaar queue ls`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the queues.")

    @OptionGroup var options: SpoolOptions

    func run() throws {
      try options.respond { try $0.list() }
    }
  }

  /// `bazaar queue peek QUEUE`.
  struct Peek: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show messages without claiming them, earliest first (as a JSON array under \"messages\").")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Which state: new, cur, done or dead.") var from: StateArgument = .new
    @Option(help: "At most this many messages.") var limit = 10

    func run() throws {
      try options.respond { try $0.peek(queue, from: from.state, limit: limit) }
    }
  }

  /// `bazaar queue replay QUEUE --from dead|done`.
  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Move messages from dead/ or done/ back to new/ with a fresh attempt count.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "dead or done.") var from: StateArgument
    @Option(help: "Replay this message only.") var id: String?
    @Flag(help: "Replay every message in the state.") var all = false

    func validate() throws {
      guard from == .dead || from == .done else { throw ValidationError("--from takes dead or done") }
      if id != nil && all { throw ValidationError("give --id ID or --all, not both") }
      if id == nil && !all { throw ValidationError("give --id ID or --all") }
    }

    func run() throws {
      try options.respond { try $0.replay(queue, from: from.state, id: id) }
    }
  }

  /// `bazaar queue purge QUEUE --from done|dead`.
  struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete every message in done/ or dead/.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "done or dead.") var from: StateArgument

    func validate() throws {
      guard from == .dead || from == .done else { throw ValidationError("--from takes done or dead") }
    }

    func run() throws {
      try options.respond { try $0.purge(queue, from: from.state) }
    }
  }

  /// `bazaar queue reap [QUEUE]`.
  struct Reap: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Return expired leases, set foreign files aside, clear abandoned temporary files.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue (default: every queue).") var queue: String?

    func run() throws {
      try options.respond { try $0.reap(queue) }
    }
  }

  /// `bazaar queue create QUEUE`: write the queue's policy.
  struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a queue or change its policy (attempts, retention, lease, size limit, backoff).")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Deliveries before dead-lettering (default 25).") var maxAttempts: Int?
    @Flag(inversion: .prefixedNo, help: "Keep acked messages in done/ for replay.") var retain: Bool?
    @Option(help: "Default lease in seconds (default 30).") var lease: Double?
    @Option(help: "Largest message in bytes (default 262144).") var maxBytes: Int?
    @Option(help: "sidekiq, fixed:MS or exponential:BASE_MS:CAP_MS.") var backoff: String?

    func run() throws {
      let change = QueueOperations.PolicyChange(
        maxAttempts: maxAttempts, retainAcked: retain, leaseMilliseconds: try milliseconds(lease, option: "--lease"),
        maxBytes: maxBytes, backoff: backoff)
      try options.respond { try $0.create(queue, change) }
    }
  }

  /// `bazaar queue work QUEUE -- COMMAND…`: a consumer that runs a program per message.
  struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run COMMAND once per message, the message on its stdin; its exit status settles the message.",
      discussion: """
        Exit 0 acks; exit 75 retries with the queue's backoff; any other exit (or a signal) retries \
        with the error recorded (last lines of its stderr), and dead-letters after the last attempt. \
        The lease is extended while COMMAND runs. SIGTERM or SIGINT stops taking new messages and \
        lets running ones finish. The child sees BAZAAR_QUEUE, BAZAAR_MESSAGE_ID and BAZAAR_RECEIVE_COUNT.
        """)

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Messages processed at once.") var concurrency = 1
    @Option(help: "Lease in seconds (default: the queue's visibility timeout); renewed while COMMAND runs.")
    var lease: Double?
    @Flag(help: "Process what is ready, then exit (for cron).") var once = false
    @Argument(parsing: .postTerminator, help: "The program and its arguments.") var command: [String]

    func validate() throws {
      guard !command.isEmpty else { throw ValidationError("give the command after --") }
      guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency takes 1 to 256") }
    }

    func run() throws {
      let leaseMilliseconds = try milliseconds(lease, option: "--lease")
      StopSignal.install()
      try options.respond {
        try $0.work(
          queue, command: command, concurrency: concurrency, leaseMilliseconds: leaseMilliseconds, once: once,
          shouldStop: StopSignal.requested)
      }
    }
  }
}
