internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarLive
internal import BazaarRunners
internal import BazaarServer
internal import BazaarStore
internal import Logging
internal import NIOCore

#if canImport(Glibc)
  internal import Glibc
#endif

/// `bazaar fcgi`: the route table as a long-running FastCGI responder behind a web server.
struct FastCGICommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fcgi",
    abstract: "Serve the route table as a FastCGI responder (lighttpd mod_fastcgi, nginx fastcgi_pass).",
    discussion: """
      One long-running process answers every request a web server passes it, in-process, as \
      `bazaar serve` does (CGI starts a process per request instead). It listens on --socket \
      (a Unix socket) or --port (TCP), or on the socket it was started with: systemd's socket \
      activation (LISTEN_FDS), or a web server that spawns it with the socket as standard \
      input (lighttpd's bin-path, spawn-fcgi). Stops on SIGTERM or SIGINT once requests in \
      flight are answered. See deploy/lighttpd/bazaar-fastcgi.conf and deploy/nginx/bazaar-fastcgi.conf.template.
      """)

  @Option(help: "A Unix socket to listen on (created; a stale socket is replaced, any other file refused).")
  var socket: String?

  @Option(help: "The Unix socket's permissions, in octal (the web server's user must be able to connect).")
  var socketMode = "660"

  @Option(help: "Listen on TCP at this port instead (0 picks a free one; the log line \"listening\" names it).")
  var port: Int?

  @Option(help: "The address to listen on with --port.")
  var host = "127.0.0.1"

  func validate() throws {
    guard UInt32(socketMode, radix: 8).map({ $0 <= 0o777 }) == true else {
      throw ValidationError("--socket-mode must be octal permissions, such as 660")
    }
    if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
    guard socket == nil || port == nil else { throw ValidationError("give --socket or --port, not both") }
  }

  func run() async throws {
    let listener: FastCGIServer.Listener
    if let socket {
      listener = .unix(path: socket, mode: UInt32(socketMode, radix: 8)!)
    } else if let port {
      listener = .tcp(host: host, port: port)
    } else if let inherited = FastCGIServer.Listener.inherited() {
      listener = inherited
    } else {
      writeLine(
        "bazaar fcgi: nowhere to listen: give --socket PATH or --port N, or start it with a listening socket "
          + "(systemd socket activation, or a web server's FastCGI spawner)", to: 2)
      throw ExitCode(64)
    }
    do {
      try await Runner.refusingInWords(as: "bazaar fcgi") {
        let configuration = try Configuration()
        try configuration.prepareStateDirectory()
        let live = try LiveServices.wire(configuration, connections: .pool, adapters: adapters)
        defer { live.close() }
        var settings = ShopServer.Settings(
          host: host, port: port ?? 0, isolation: .inprocess, timeout: .seconds(10), maxConcurrent: 1,
          maxInputBytes: configuration.maxInputBytes, executable: "", childEnvironment: [])
        settings.adopt(configuration)
        try await ShopServer.runFastCGI(
          live.services, settings: settings, listener: listener, logger: Logs.logger(label: "bazaar.fcgi"),
          accessLog: Logs.logger(label: "bazaar.access"), requestID: { RequestID.from($0) })
      }
    } catch is FastCGIServer.PathNotASocket {
      writeLine(
        "bazaar fcgi: cannot listen on \(listener): a file that is not a socket is in the way (it is left alone)", to: 2
      )
      throw ExitCode(73)  // EX_CANTCREAT
    } catch let error as IOError {
      writeLine("bazaar fcgi: cannot listen on \(listener): \(String(cString: strerror(error.errnoCode)))", to: 2)
      throw ExitCode(69)
    }
  }
}
