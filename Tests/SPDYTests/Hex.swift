/// Bytes from a hex string; spaces, newlines, `|` separators (between fields) and `//` comments
/// to the end of a line are ignored.
func hex(_ text: String) -> [UInt8] {
    var digits: [Character] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var previous: Character = " "
        for character in line {
            if previous == "/" && character == "/" { break }
            if character.isHexDigit { digits.append(character) }
            previous = character
        }
    }
    precondition(digits.count % 2 == 0, "odd number of hex digits in \(text)")
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: digits.count, by: 2) {
        bytes.append(UInt8(String(digits[index...index + 1]), radix: 16)!)
    }
    return bytes
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}
