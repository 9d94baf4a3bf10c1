internal import BazaarCrypto
internal import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// The generated JWT secret file: made once, atomically, readable only by its owner.
enum SecretFile {
  /// The secret stored at `path`, creating it first if it does not exist.
  ///
  /// The new secret is written to a private temporary file and hard-linked into place, so
  /// two processes starting at once agree on one secret and nobody reads a half-written file.
  static func readOrCreate(at path: String) throws -> [UInt8] {
    if let existing = read(path) { return existing }
    let temporary = path + ".tmp.\(getpid())"
    let secret = Array(try SecureRandom.bytes(32).map { String($0, radix: 16).leftPadded(to: 2) }.joined().utf8)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ConfigurationError(variable: "BAZAAR_HOME", reason: "cannot create \(temporary)") }
    let written = secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    let synced = fsync(fd)
    close(fd)
    defer { unlink(temporary) }
    guard written == secret.count, synced == 0 else {
      throw ConfigurationError(variable: "BAZAAR_HOME", reason: "cannot write \(temporary)")
    }
    if link(temporary, path) != 0 && errno != EEXIST {
      throw ConfigurationError(variable: "BAZAAR_HOME", reason: "cannot create \(path)")
    }
    guard let stored = read(path) else {
      throw ConfigurationError(variable: "BAZAAR_HOME", reason: "cannot read \(path)")
    }
    return stored
  }

  private static func read(_ path: String) -> [UInt8]? {
    guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
    return Array(data)
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
