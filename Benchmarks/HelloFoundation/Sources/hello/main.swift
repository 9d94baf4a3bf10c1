import Foundation

// Prints one JSON object, like a handler does, through Foundation.
let data = try JSONSerialization.data(withJSONObject: ["hello": "world"])
FileHandle.standardOutput.write(data + Data([0x0A]))
