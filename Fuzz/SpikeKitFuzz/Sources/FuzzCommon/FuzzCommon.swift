import Foundation

/// What every fuzz target shares: the input as bytes, and a check that stops the run as a crash (libFuzzer then
/// saves the input as `crash-*`) when a property of the parser's result does not hold.
public enum Fuzz {
    /// libFuzzer's input as an array of bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// libFuzzer's input as `Data`.
    public static func data(_ data: UnsafePointer<UInt8>, _ size: Int) -> Data {
        Data(bytes: data, count: size)
    }

    /// Stops the process (a crash for libFuzzer) with `message` when `condition` is false.
    public static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                             file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { fatalError("fuzz property failed: \(message())", file: file, line: line) }
    }

    /// Stops the process when `message` does not start with `prefix` (the file's name and ": "). Compared as UTF-8
    /// bytes: as Characters, a quoted key that starts with a combining mark joins the space before it into one
    /// Character, and `hasPrefix` is false although the bytes are there (Regressions/FuzzPlasticity/combining-mark).
    public static func checkNamesFile(_ message: String, _ prefix: String) {
        check(message.utf8.starts(with: prefix.utf8), "error does not name the file: \(message.prefix(300))")
    }

    /// Stops the process when an error message (which a user would read) is not one line, or is longer than
    /// `limit` characters (parsers cut what they quote from the input).
    public static func checkMessage(_ message: String, limit: Int = 4000) {
        check(!message.contains(where: { $0.isNewline }), "error message is not one line: \(message.debugDescription)")
        check(message.count <= limit, "error message of \(message.count) characters: \(message.prefix(300))...")
    }
}
