package import BazaarCore
package import BazaarJSON

/// Who may call a function.
package enum AuthPolicy: String, Sendable, CaseIterable {
  /// Anyone; a token, if sent, is ignored.
  case `public`
  /// A valid, unrevoked token with `role: user`.
  case user
  /// A valid, unrevoked token with `role: seller`.
  case seller
  /// A valid, unrevoked user or seller token (the handler decides what each may see).
  case userOrSeller = "user_or_seller"

  /// The role the token must carry, if any.
  package var requiredRole: Role? {
    switch self {
    case .public, .userOrSeller: nil
    case .user: .user
    case .seller: .seller
    }
  }
}

/// Where a function answers over HTTP: the gateway's route table is built from these.
///
/// `path` is a template whose `{name}` segments are path parameters; path parameters and the
/// declared query parameters are merged into the input object, so the handler reads them like
/// any other field.
package struct Route: Sendable, Equatable {
  package var method: String
  package var path: String
  /// Query-string parameters the function accepts, with the JSON type each becomes.
  package var query: [QueryParameter]

  package init(_ method: String, _ path: String, query: [QueryParameter] = []) {
    self.method = method
    self.path = path
    self.query = query
  }

  /// The names of the path's `{name}` segments, in order.
  package var pathParameters: [String] {
    segments.compactMap { segment in
      guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return nil }
      return String(segment.dropFirst().dropLast())
    }
  }

  /// The template's segments (`/products/{id}` is `["products", "{id}"]`).
  var segments: [Substring] { path.split(separator: "/") }
}

/// A query-string parameter of a route and the JSON type its text is converted to.
package struct QueryParameter: Sendable, Equatable {
  /// The JSON type a parameter's text becomes in the input object.
  package enum Kind: String, Sendable {
    case string
    case integer
    /// `true` or `false`.
    case boolean
  }

  package var name: String
  package var kind: Kind

  package init(_ name: String, _ kind: Kind) {
    self.name = name
    self.kind = kind
  }
}

/// Percent-decoding (RFC 3986 §2.1) of path segments and query components.
package enum PercentDecoding {
  /// `text` decoded; `+` becomes a space when `plusIsSpace` (form encoding). Nil when an escape
  /// is malformed or the result is not UTF-8.
  package static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      switch byte {
      case UInt8(ascii: "%"):
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
          return nil
        }
        bytes.append(high << 4 | low)
      case UInt8(ascii: "+") where plusIsSpace:
        bytes.append(UInt8(ascii: " "))
      default:
        bytes.append(byte)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}

/// Everything a running handler may use: the caller, the request id and the use cases.
package struct FunctionContext: Sendable {
  /// The verified caller; nil for public functions.
  package var caller: AccessClaims?
  package var requestID: String
  /// The client's address, when a transport knows it (HTTP, CGI); sign-ins are throttled by it.
  package var client: String?
  package var services: Services

  /// The caller of a function whose policy demanded a token.
  package var requireCaller: AccessClaims {
    get throws {
      guard let caller else { throw AuthError.missingToken }
      return caller
    }
  }
}

/// One function of the catalog: its contract (name, route, policy) and its handler.
package struct FunctionDefinition: Sendable {
  /// The contract name, as in `bazaar invoke NAME` and `functions/NAME`.
  package var name: String
  /// One line saying what it does.
  package var summary: String
  package var route: Route
  package var auth: AuthPolicy
  /// The HTTP status of a success (200, or 201 when something is created).
  package var successStatus: Int
  /// Whether the handler may wait on another service over the network (the payment gateway):
  /// a long-running runner gives such handlers threads of their own, so a slow gateway never
  /// holds up the others.
  package var waitsOnNetwork: Bool
  /// Whether the handler hashes or checks a password (scrypt: tens of milliseconds and 32 MiB):
  /// a long-running runner runs such handlers on a small pool of their own with a bounded
  /// queue, so a sign-in flood never takes the threads that reads and other writes use.
  package var hashesPassword: Bool
  /// Whether the handler only reads the store (no write transaction, no network, no password
  /// hash): a long-running runner runs it on the task that received the request, without
  /// handing it to a thread pool. Reads in WAL mode never wait on a lock, so they hold a thread
  /// for microseconds; a write inside one is refused (`StoreAccess`).
  package var readsOnly: Bool
  /// Whether the function honours an idempotency key (the `Idempotency-Key` header, or the
  /// `idempotencyKey` field from the shell): the invoker keeps its first success's answer in
  /// the use case's own transaction and replays it (`IdempotentCalls`). For functions that
  /// create something, with a caller, whose use case does not call another service mid-way.
  package var idempotent: Bool
  /// Whether the handler decodes and encodes images (uploads): only a program that links an
  /// image processor runs it, so `bazaar-fn` hands it to `bazaar` (as it does payments).
  package var rendersImages: Bool
  /// Set for a function whose HTTP body may be a file (`uploadProductImage`), with its limits.
  package var fileBody: FileBody?
  /// Reads the input (calling `finish()` before acting), runs the use case and returns the output.
  package var handle: @Sendable (inout InputReader, FunctionContext) throws -> any JSONRepresentable

  package init(
    name: String, summary: String, route: Route, auth: AuthPolicy, successStatus: Int = 200,
    waitsOnNetwork: Bool = false, hashesPassword: Bool = false, readsOnly: Bool = false, idempotent: Bool = false,
    rendersImages: Bool = false, fileBody: FileBody? = nil,
    handle: @escaping @Sendable (inout InputReader, FunctionContext) throws -> any JSONRepresentable
  ) {
    self.rendersImages = rendersImages
    self.fileBody = fileBody
    self.hashesPassword = hashesPassword
    self.readsOnly = readsOnly
    self.idempotent = idempotent
    self.name = name
    self.summary = summary
    self.route = route
    self.auth = auth
    self.successStatus = successStatus
    self.waitsOnNetwork = waitsOnNetwork
    self.handle = handle
  }
}

extension FunctionDefinition {
  /// Whether only a program that links the payment adapter and the image library runs it
  /// (`waitsOnNetwork` or `rendersImages`): `bazaar-fn` hands it to `bazaar`.
  package var needsFullBinary: Bool { waitsOnNetwork || rendersImages }
}

/// A function that takes a file as its HTTP body: a request whose `Content-Type` is not JSON
/// hands the handler `{contentType, data}` (the body in base64), the JSON form a shell caller
/// sends, so both reach it alike.
package struct FileBody: Sendable {
  /// The largest file, in bytes, as an HTTP body.
  package var maxBytes: Int
  /// The largest JSON form (the file in base64 and the other fields), in bytes.
  package var maxJSONBytes: Int

  package init(maxBytes: Int, maxJSONBytes: Int) {
    self.maxBytes = maxBytes
    self.maxJSONBytes = maxJSONBytes
  }

  /// Whether a body of `contentType` is the file itself rather than the JSON form.
  package static func isFile(contentType: String?) -> Bool {
    let type = mediaType(contentType)
    return !type.isEmpty && !isJSON(type)
  }

  /// A `Content-Type`'s media type, lower-cased, without its parameters; empty when absent.
  package static func mediaType(_ contentType: String?) -> String {
    (contentType ?? "").split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
  }

  /// Whether `mediaType` is JSON: `application/json` or any `+json` type.
  package static func isJSON(_ mediaType: String) -> Bool {
    mediaType == "application/json" || mediaType.hasSuffix("+json")
  }

  /// The most bytes a body of `contentType` may hold.
  package func limit(contentType: String?) -> Int {
    Self.isFile(contentType: contentType) ? maxBytes : maxJSONBytes
  }
}

/// An answer that is a file, not JSON (a stored photo): over HTTP the bytes themselves, with
/// their type and a strong `ETag`; from the shell its JSON form.
package protocol FileAnswer: JSONRepresentable {
  var contentType: String { get }
  var bytes: [UInt8] { get }
  /// The strong validator, quoted (`"…"`).
  var entityTag: String { get }
  /// How long caches may keep it (`Cache-Control`).
  var cacheControl: String { get }
}
