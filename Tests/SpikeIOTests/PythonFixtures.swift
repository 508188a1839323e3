import Foundation

/// Files written by real NumPy 2.4.6 (`np.save`, `np.lib.format.write_array`) and by Python's
/// `safetensors` 0.8.0 (`safetensors.numpy.save`), embedded as base64 so the tests need no Python.
///
/// They were generated once with this script (`ar(*s)` is `arange(prod(s)) * 0.5 - 1` as float32):
///
/// ```python
/// import numpy as np, base64, io
/// from safetensors.numpy import save
/// def npy(a, version=None):
///     f = io.BytesIO()
///     if version is None: np.save(f, a)
///     else: np.lib.format.write_array(f, a, version=version)
///     return f.getvalue()
/// def b64(b): return base64.b64encode(b).decode()
/// out = {}
/// ar = lambda *s: (np.arange(int(np.prod(s)), dtype=np.float32) * 0.5 - 1).reshape(s)
/// out["npyScalar"] = npy(np.array(3.25, np.float32))
/// out["npyVector"] = npy(ar(5))
/// out["npyRank3"] = npy(ar(2,3,4))
/// out["npyEmpty"] = npy(np.zeros((0,3), np.float32))
/// out["npyFloat64"] = npy(np.array([[1.5, -2.25, 1e-3],[3.0, 1e30, -0.0]], np.float64))
/// out["npyV2"] = npy(ar(2,2), (2,0))
/// out["npyV3"] = npy(ar(3), (3,0))
/// out["npyInt64"] = npy(np.array([-3, 0, 7, 1<<40], np.int64))
/// out["npyInt32"] = npy(np.array([[-1, 2],[300, -40000]], np.int32))
/// out["npyUInt8"] = npy(np.array([0, 1, 255], np.uint8))
/// out["npyBool"] = npy(np.array([True, False, True]))
/// out["npyFloat16"] = npy(np.array([1.0, -2.5, 65504, 6e-8, np.inf], np.float16))
/// out["npyFortran"] = npy(np.asfortranarray(ar(2,3)))
/// out["npyBigEndian"] = npy(ar(3).astype('>f4'))
/// out["stPython"] = save({"bias": np.array([0.5,-1.25], np.float32), "empty": np.zeros((0,3), np.float32), "fc1.weight": ar(2,3), "scalar": np.array(3.0, np.float32)}, metadata={"format":"pt"})
/// out["stMixed"] = save({"d": np.array([1.5, -2.0, 1e-3], np.float64), "h": np.array([[1.0, -0.5],[65504, 6e-8]], np.float16), "i": np.array([-7, 1<<40], np.int64), "j": np.array([3, -4], np.int32), "u": np.array([0, 200], np.uint8), "b": np.array([True, False])})
/// out["stNoMeta"] = save({"w": ar(2,2)})
/// # each entry of `out` is printed as base64 below
/// ```
enum PythonFixtures {
    static let npyScalar = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAFBA")
    static let npyVector = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/AACAPw==")
    static let npyRank3 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDQpLCB9ICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/AACAPwAA" +
        "wD8AAABAAAAgQAAAQEAAAGBAAACAQAAAkEAAAKBAAACwQAAAwEAAANBAAADgQAAA8EAAAABBAAAIQQAAEEEAABhBAAAgQQAAKEE=")
    static let npyEmpty = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=")
    static let npyFloat64 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAALA/Knx0k1i" +
        "UD8AAAAAAAAIQOqMoDlZPilGAAAAAAAAAIA=")
    static let npyV2 = bytes(
        "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/")
    static let npyV3 = bytes(
        "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAA=")
    static let npyInt64 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr9/////////wAAAAAAAAAABwAAAAAA" +
        "AAAAAAAAAAEAAA==")
    static let npyInt32 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/////AgAAACwBAADAY///")
    static let npyUInt8 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf8=")
    static let npyBool = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=")
    static let npyFloat16 = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPADB/3sBAAB8")
    static let npyFortran = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAPwAAAL8AAIA/AAAAAAAA" +
        "wD8=")
    static let npyBigEndian = bytes(
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg" +
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAq/gAAAvwAAAAAAAAA=")
    static let stPython = bytes(
        "EAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCJ9LCJiaWFzIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyXSwi" +
        "ZGF0YV9vZmZzZXRzIjpbMCw4XX0sImVtcHR5Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOls4" +
        "LDhdfSwiZmMxLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpbOCwzMl19LCJzY2Fs" +
        "YXIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX19IAAAAD8AAKC/AACAvwAAAL8AAAAA" +
        "AAAAPwAAgD8AAMA/AABAQA==")
    static let stMixed = bytes(
        "UAEAAAAAAAB7ImkiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlswLDE2XX0sImQiOnsiZHR5cGUi" +
        "OiJGNjQiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOlsxNiw0MF19LCJqIjp7ImR0eXBlIjoiSTMyIiwic2hhcGUiOlsyXSwi" +
        "ZGF0YV9vZmZzZXRzIjpbNDAsNDhdfSwiaCI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbMiwyXSwiZGF0YV9vZmZzZXRzIjpbNDgs" +
        "NTZdfSwidSI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNTYsNThdfSwiYiI6eyJkdHlwZSI6IkJP" +
        "T0wiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOls1OCw2MF19fSAgICD5/////////wAAAAAAAQAAAAAAAAAA+D8AAAAAAAAA" +
        "wPyp8dJNYlA/AwAAAPz///8APAC4/3sBAADIAQA=")
    static let stNoMeta = bytes(
        "QAAAAAAAAAB7InciOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsMl0sImRhdGFfb2Zmc2V0cyI6WzAsMTZdfX0gICAgICAgAACA" +
        "vwAAAL8AAAAAAAAAPw==")

    /// Decodes a base64 fixture.
    static func bytes(_ base64: String) -> Data {
        guard let data = Data(base64Encoded: base64) else { fatalError("bad base64 fixture") }
        return data
    }
}
