# Deliberate's sandbox harness. Runs inside the box as `python3 -I -S -c <this file>`; the job arrives on stdin as
# one JSON object. Results go out on a private duplicate of the original stdout, one JSON line each, every line
# carrying the run's nonce; the program's own fd 1 and fd 2 both go to the box's stderr (the capped "output").
# Nothing here is trusted by Java beyond "a line with the nonce": the program shares this process and could forge
# its own results, never another box's.
import ast
import copy
import hashlib
import io
import json
import math
import os
import random
import signal
import sys

VALUE_CAP = 16 * 1024
DEPTH_CAP = 32
TEXT_CAP = 2000
REPR_CAP = 200


class CallTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so that `except Exception` in the program does not swallow it."""


class TooDeep(Exception):
    pass


def _alarm(signum, frame):
    raise CallTimeout()


def _cut(text, cap=TEXT_CAP):
    return text if len(text) <= cap else text[:cap] + "..."


def _describe(error):
    try:
        message = str(error)
    except BaseException:
        message = "<unprintable>"
    name = type(error).__name__
    return _cut(name + ": " + message if message else name)


def _repr(value):
    try:
        return repr(value)[:REPR_CAP]
    except BaseException as error:
        return "<repr failed: " + _describe(error)[:REPR_CAP] + ">"


def _canon(value, depth):
    # Exact type checks: a subclass of int (or str, list, ...) can override __eq__ or __repr__, so it is reported as
    # an object with its type name, never as the value it pretends to be.
    if depth > DEPTH_CAP:
        raise TooDeep()
    kind = type(value)
    if value is None or kind is bool:
        return json.dumps(value)
    if kind is int:
        return str(value)
    if kind is float:
        if math.isfinite(value):
            return repr(value)
        return '{"repr":' + json.dumps(repr(value)) + ',"type":"float"}'
    if kind is str:
        return json.dumps(value)
    if kind is list or kind is tuple:
        return "[" + ",".join(_canon(item, depth + 1) for item in value) + "]"
    if kind is set or kind is frozenset:
        return "[" + ",".join(sorted(_canon(item, depth + 1) for item in value)) + "]"
    if kind is dict:
        if all(type(key) is str for key in value):
            items = sorted((json.dumps(key), _canon(item, depth + 1)) for key, item in value.items())
            return "{" + ",".join(key + ":" + item for key, item in items) + "}"
        pairs = sorted(
            "[" + _canon(key, depth + 1) + "," + _canon(item, depth + 1) + "]" for key, item in value.items())
        return '{"items":[' + ",".join(pairs) + '],"type":"dict"}'
    return '{"repr":' + json.dumps(_repr(value)) + ',"type":' + json.dumps(kind.__qualname__) + "}"


def canonical(value):
    text = _canon(value, 0)
    if len(text) <= VALUE_CAP:
        return text
    # Too large to send: its hash still lets equal values compare equal in Java.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ('{"bytes":' + str(len(text)) + ',"sha256":"' + digest + '","truncated":true,"type":'
            + json.dumps(type(value).__qualname__) + "}")


class Channel:
    def __init__(self, fd, nonce):
        self.fd = fd
        self.nonce = nonce

    def send(self, record):
        # What the program printed before this result reaches the output first.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        record["nonce"] = self.nonce
        data = (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def _timed(seconds, body):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return body()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def run_calls(job, channel, main_pid):
    timeout = float(job["timeout"])
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        code = compile(job["source"], "<program>", "exec")
        random.seed(job["seed"])
        _timed(timeout, lambda: exec(code, namespace))
    except CallTimeout:
        _leave_if_forked(main_pid)
        channel.send({"kind": "module", "ok": False, "cause": "timeout", "error": "module took too long"})
        return
    except MemoryError as error:
        _leave_if_forked(main_pid)
        channel.send({"kind": "module", "ok": False, "cause": "memory", "error": _describe(error)})
        return
    except BaseException as error:
        _leave_if_forked(main_pid)
        channel.send({"kind": "module", "ok": False, "cause": "error", "error": _describe(error)})
        return
    _leave_if_forked(main_pid)
    channel.send({"kind": "module", "ok": True})
    for index, line in enumerate(job["calls"]):
        record = {"kind": "call", "index": index}
        try:
            try:
                code, expression = compile(line, "<call>", "eval"), True
            except SyntaxError:
                code, expression = compile(line, "<call>", "exec"), False
            random.seed(job["seed"])

            def body():
                value = eval(code, namespace)
                return canonical(value) if expression else None

            record["value"] = _timed(timeout, body)
            record["outcome"] = "RETURNED"
        except CallTimeout:
            record["outcome"] = "TIMEOUT"
        except TooDeep:
            record["outcome"] = "RAISED"
            record["error"] = "ValueError: returned value nested deeper than %d levels" % DEPTH_CAP
        except MemoryError as error:
            record["outcome"] = "RAISED"
            record["error"] = _describe(error)
            record["memory"] = True
        except BaseException as error:
            record["outcome"] = "RAISED"
            record["error"] = _describe(error)
        _leave_if_forked(main_pid)
        channel.send(record)


def _leave_if_forked(main_pid):
    # A program that forked has two copies of this harness running; only the original reports.
    if os.getpid() != main_pid:
        os._exit(0)


def _docstring(node):
    try:
        return ast.get_docstring(node)
    except BaseException:
        return None


def _is_stub(node):
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                and statement.value.value is Ellipsis:
            continue
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                continue
        return False
    return True


def _signature(node):
    header = copy.copy(node)
    header.body = [ast.Pass()]
    header.decorator_list = []
    text = ast.unparse(ast.fix_missing_locations(header))
    return text.split("\n", 1)[0].rstrip()[:-1]


def _segment(lines, node):
    # ast.get_source_segment splits the whole source on every call; this keeps one split per source. Offsets are
    # UTF-8 byte offsets. Decorators, if any, are the whole lines above a top-level def.
    first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
    start_col = 0 if first != node.lineno else node.col_offset
    chosen = lines[first - 1:node.end_lineno]
    if not chosen:
        return ""
    last = chosen[-1].encode("utf-8")[:node.end_col_offset].decode("utf-8", "replace")
    if len(chosen) == 1:
        return last.encode("utf-8")[start_col:].decode("utf-8", "replace")
    head = chosen[0].encode("utf-8")[start_col:].decode("utf-8", "replace")
    return "".join([head] + chosen[1:-1] + [last])


def outline_one(source):
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return {"syntax_error": _cut("line %s: %s" % (error.lineno, error.msg))}
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:
        return {"syntax_error": _cut(_describe(error))}
    functions = []
    imports = []
    lines = io.StringIO(source, newline="").readlines()  # ast's line breaks: \n, \r\n, \r only
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append({
                "name": node.name,
                "signature": _signature(node),
                "docstring": _docstring(node),
                "stub": _is_stub(node),
                "source": _segment(lines, node),
            })
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(_segment(lines, node))
    return {"functions": functions, "imports": imports}


def run_outline(job, channel):
    for index, source in enumerate(job["sources"]):
        try:
            record = outline_one(source)
        except BaseException as error:
            record = {"syntax_error": _cut(_describe(error))}
        record["kind"] = "outline"
        record["index"] = index
        channel.send(record)


def self_check(job):
    import socket
    record = {"kind": "check", "uid": os.getuid(), "gid": os.getgid()}
    reached = []
    for host, port in [("127.0.0.1", job["port"]), ("1.1.1.1", 443), ("10.0.0.1", 80), ("169.254.169.254", 80)]:
        try:
            socket.create_connection((host, port), timeout=1).close()
            reached.append("%s:%d" % (host, port))
        except OSError:
            pass
    record["reached"] = reached
    try:
        with open("/deliberate-check", "w") as probe:
            probe.write("x")
        record["root_writable"] = True
    except OSError:
        record["root_writable"] = False
    record["visible"] = [path for path in job["absent"] if os.path.lexists(path)]
    return record


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    channel = Channel(os.dup(1), job["nonce"])  # os.dup is close-on-exec: subprocesses never get the channel
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True, write_through=True, errors="backslashreplace")
    sys.stderr.reconfigure(line_buffering=True, write_through=True, errors="backslashreplace")
    sys.set_int_max_str_digits(0)
    main_pid = os.getpid()
    if job["mode"] == "outline":
        run_outline(job, channel)
    elif job["mode"] == "check":
        channel.send(self_check(job))
    else:
        run_calls(job, channel, main_pid)
    _leave_if_forked(main_pid)
    channel.send({"kind": "done"})
    # os._exit: no atexit hooks of the program, no waiting for its threads.
    os._exit(0)


try:
    main()
except MemoryError:
    os._exit(3)
except BaseException:
    os._exit(2)
