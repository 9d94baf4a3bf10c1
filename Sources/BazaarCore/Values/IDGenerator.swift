/// Where new random, time-ordered ids come from.
package protocol IDGenerator: Sendable {
  /// A new id: 26 lower-case Crockford base-32 characters, sortable by creation time.
  func next() -> String
}
