#!/usr/bin/env python3
"""Draw the kernel's event trace as a timeline in one self-contained HTML file
(SVG and a little plain JavaScript; no framework, no network).

usage: timeline.py TRACE.txt OUT.html [--title TEXT]

TRACE.txt is the serial output of a boot with trace=1 (make timeline); the
trace lines in it are described in docs/debugging.md ("The event trace"):
  ~TRACE begin mask=0x.. capacity=N events=N first=SEQ
  ~T SEQ TSC PID KIND key=value ... *CK   (CK: the sum of the bytes before " *",
                                          mod 256, two hex digits)
  ~TRACE end events=N next=SEQ dropped=N
Other lines (the console) are ignored; a trace line may follow other text on
the same line. The page says when the trace is truncated (a dump without its
end line, or sequence numbers missing that no drop accounts for) and when the
kernel dropped events because its buffer was full."""
import argparse
import html
import re

EVENT_RE = re.compile(r"(~T (\d+) (\d+) (\d+) ([a-z]+)((?: [a-z]+=\S*)*)) \*([0-9a-f]{2})\s*$")
BEGIN_RE = re.compile(r"~TRACE begin (.*)$")
END_RE = re.compile(r"~TRACE end (.*)$")

RECV_TITLE = {"int80": "int 0x80", "fast": "function receiver, fast path",
              "slow": "function receiver, slow path", "sysenter": "sysenter"}
EXIT_TITLE = {"iret3": "iret to ring 3", "iret0": "3-word iret on the AP stack (ring 0)",
              "ret": "plain ret (ring 0)", "sysexit": "sysexit (ring 3)"}
RECVS = ["int80", "fast", "slow", "sysenter"]
SWITCH_CALLS = {"switch_supervisor": "Smode", "switch_user": "Umode"}


def checksum(text):
    """A trace line's check sum: its bytes before " *", summed mod 256."""
    return sum(text.encode()) % 256


def fields(text):
    """The key=value words of text as a dict."""
    return dict(kv.split("=", 1) for kv in text.split())


class Trace:
    """The events of one boot, in order, and what the reader must be told."""

    def __init__(self):
        self.events = []       # dicts: seq, t, pid, kind, and the key=values
        self.dropped = 0       # as the kernel counted them (the last end line)
        self.truncated = []    # reasons, for the page
        self.gaps = 0          # sequence numbers missing between events


def parse(lines):
    """The Trace in lines (a boot's serial output): its events in sequence
    order, the kernel's drop count, and why it is truncated, if it is."""
    tr = Trace()
    open_dump = False
    next_seq = None
    last_seq = None
    for line in lines:
        m = EVENT_RE.search(line)
        if m and checksum(m.group(1)) != int(m.group(7), 16):
            tr.truncated.append("a damaged trace line (bad check sum): %r" % line.strip()[:80])
            continue
        if m:
            ev = {"seq": int(m.group(2)), "t": int(m.group(3)), "pid": int(m.group(4)),
                  "kind": m.group(5)}
            ev.update(fields(m.group(6)))
            if last_seq is not None and ev["seq"] != last_seq + 1:
                tr.gaps += max(0, ev["seq"] - last_seq - 1)
            last_seq = ev["seq"]
            tr.events.append(ev)
            continue
        m = BEGIN_RE.search(line)
        if m:
            if open_dump:
                tr.truncated.append("a readout stopped before its end line")
            open_dump = True
            continue
        m = END_RE.search(line)
        if m:
            f = fields(m.group(1))
            tr.dropped = max(tr.dropped, int(f.get("dropped", 0)))
            next_seq = int(f.get("next", 0))
            open_dump = False
            continue
        if "~T" in line:
            tr.truncated.append("a garbled trace line: %r" % line.strip()[:80])
    if open_dump:
        tr.truncated.append("the trace ends without its end line (the run was cut short)")
    if not tr.events and not tr.truncated and next_seq is None:
        tr.truncated.append("no trace in the input (was the kernel booted with trace=1?)")
    if tr.gaps > tr.dropped:
        tr.truncated.append("%d events are missing that no drop accounts for" %
                            (tr.gaps - tr.dropped))
    if last_seq is not None and next_seq is not None and last_seq + 1 < next_seq \
            and not open_dump and tr.dropped == 0:
        tr.truncated.append("events %d..%d were recorded but never read out" %
                            (last_seq + 1, next_seq - 1))
    tr.events.sort(key=lambda e: e["seq"])
    return tr


class Proc:
    """One process's lane: its name and mode, its counts, the time it spent
    in each ring, and the stretches to draw."""

    def __init__(self, pid):
        self.pid = pid
        self.name = "pid %d" % pid
        self.mode = "Umode"
        self.first = None
        self.calls = {r: 0 for r in RECVS}
        self.time = {"ring3": 0, "ring0": 0, "kernel": 0}
        self.switches = self.pageins = self.pageouts = self.faults = 0
        self.preempted = self.refused = 0
        self.insys = None      # the sys event of the call in progress
        self.segments = []     # (t0, t1, mode) of the lane's colour
        self.running = []      # (t0, t1, mode)
        self.exited = None


class Model:
    """Lanes, stretches, marks and arrows worked out from a trace's events,
    one handler per event kind (ON_EVENT). After build():
      procs   pid -> Proc (pid 0, the idle loop, has none)
      marks   dicts: kind (a key of SHAPES), t, pid, cls, title
      arrows  dicts: t0, pid0, t1, pid1, cls, title (switch requests)
      t_first, t_last  the first and last event's time"""

    def __init__(self, events):
        self.events = events
        self.procs = {}
        self.marks = []
        self.arrows = []
        self.pending = {}      # target pid -> the sys event of the switch request waiting for its tail
        self.t_first = events[0]["t"] if events else 0
        self.t_last = events[-1]["t"] if events else 1
        self.running = 0       # the pid on the CPU (0: idle)
        self.run_since = self.t_first
        self.accounted = self.t_first  # time charged to the running process up to here
        self.mode_since = {}   # pid -> when its current lane colour began
        self.last_tick = None  # the tick event since the last run/idle

    # ---- helpers ----

    def proc(self, pid):
        """The Proc of pid, made on first sight."""
        if pid not in self.procs:
            self.procs[pid] = Proc(pid)
        return self.procs[pid]

    def name(self, pid):
        """The lane name of pid ("pid N" if it has no lane)."""
        return self.procs[pid].name if pid in self.procs else "pid %d" % pid

    def mark(self, kind, t, pid, title, cls=None):
        """A mark of SHAPES[kind] on pid's lane at t; cls defaults to kind."""
        self.marks.append({"kind": kind, "t": t, "pid": pid, "cls": cls or kind, "title": title})

    def account(self, t):
        """Charge the time since the last event to the running process: ring
        3, ring 0 (an Smode program) or kernel (inside a system call)."""
        p = self.procs.get(self.running)
        if p is not None:
            state = "kernel" if p.insys else ("ring0" if p.mode == "Smode" else "ring3")
            p.time[state] += t - self.accounted
        self.accounted = t

    def set_mode(self, p, mode, t):
        """p's program runs in mode from t on: close the lane's colour stretch."""
        if p.mode != mode or p.pid not in self.mode_since:
            if p.pid in self.mode_since:
                p.segments.append((self.mode_since[p.pid], t, p.mode))
            self.mode_since[p.pid] = t
            p.mode = mode

    def request_result(self, req, ret, t):
        """The switch call req returned ret: registered (0), or not."""
        target, pid = req["target"], req["pid"]
        if self.pending.get(target) is not req:
            return  # already applied (a request for itself, or a quick target)
        if ret.get("ret") != "0":
            self.pending.pop(target)
            if req["replaced"] is not None:
                self.pending[target] = req["replaced"]
            self.mark("req-bad", t, pid, "%s asks %s to become %s: rejected (%s)" % (
                self.name(pid), self.name(target), req["mode"], ret.get("ret")), "request rejected")
        elif self.procs[target].mode == req["mode"]:
            self.pending.pop(target)  # it only cancelled the opposite request
            self.mark("req-cancel", t, pid, "%s cancels the pending switch of %s" % (
                self.name(pid), self.name(target)), "request cancel")

    # ---- one handler per event kind: (self, ev, p, t), p the event's Proc or None ----

    def on_sys(self, ev, p, t):
        """A system call's entry; a switch call is a request, pending from
        here until its result (at the exit) says whether it was registered."""
        p.insys = ev
        recv = ev.get("recv", "?")
        if recv in p.calls:
            p.calls[recv] += 1
        if ev.get("nr") in SWITCH_CALLS:
            target = int(ev.get("arg", 0)) or p.pid
            self.proc(target)
            ev["target"], ev["mode"] = target, SWITCH_CALLS[ev["nr"]]
            ev["replaced"] = self.pending.get(target)
            self.pending[target] = ev

    def on_sysret(self, ev, p, t):
        """A system call's exit: one mark at its entry naming both paths."""
        s, pid = p.insys, p.pid
        p.insys = None
        if s and s.get("nr") in SWITCH_CALLS:
            self.request_result(s, ev, t)
        recv = s.get("recv", "?") if s else "?"
        t0 = s["t"] if s else t
        self.mark("call-" + (recv if recv in RECVS else "unknown"), t0, pid,
                  "%s: %s by %s from ring %s; returned %s to ring %s by %s (%d cycles)" % (
                      self.name(pid), ev.get("nr"), RECV_TITLE.get(recv, recv),
                      s.get("ring", "?") if s else "?", ev.get("ret"), ev.get("ring"),
                      EXIT_TITLE.get(ev.get("exit"), "?"), t - t0),
                  "call recv-" + recv)

    def on_exec(self, ev, p, t):
        """A new program: the lane's name and mode."""
        p.name = "%d %s" % (p.pid, ev.get("name", "?"))
        self.set_mode(p, ev.get("mode", "Umode"), t)

    def on_fork(self, ev, p, t):
        """A child: a new lane with its parent's program and mode."""
        c = self.proc(int(ev["child"]))
        c.name = "%d %s" % (c.pid, p.name.split(" ", 1)[-1])
        c.mode = p.mode
        c.first = t
        self.mode_since[c.pid] = t

    def on_exit(self, ev, p, t):
        """The lane ends."""
        p.exited = t
        self.mark("exit", t, p.pid, "%s exits, status %s" % (self.name(p.pid), ev.get("status")))

    def on_apply(self, ev, p, t):
        """A switch applied at a call's tail: the new mode, and the arrow from its request."""
        p.switches += 1
        self.set_mode(p, ev.get("mode", "Umode"), t)
        self.mark("applied", t, p.pid, "%s becomes %s at the tail of %s (state Z)" % (
            self.name(p.pid), ev.get("mode"), ev.get("nr")))
        self.request_arrow(ev, p, t, "applied")

    def on_refuse(self, ev, p, t):
        """A switch refused at a call's tail (or cancelled by exec)."""
        p.refused += 1
        why = ("cancelled by exec (the request was for the old program)" if ev.get("exec") == "1"
               else "refused at the tail (error %s)" % ev.get("err"))
        self.mark("refused", t, p.pid, "%s: switch to %s %s" % (self.name(p.pid), ev.get("mode"), why))
        self.request_arrow(ev, p, t, "refused")

    def request_arrow(self, ev, p, t, outcome):
        """The arrow from p's pending request (if any) to its outcome at t."""
        req = self.pending.pop(p.pid, None)
        if req:
            self.arrows.append({"t0": req["t"], "pid0": req["pid"], "t1": t, "pid1": p.pid,
                                "cls": "arrow %s-arrow" % outcome,
                                "title": "pid %d asked %s to become %s; %s %d cycles later" % (
                                    req["pid"], self.name(p.pid), req.get("mode"), outcome,
                                    t - req["t"])})

    def on_tick(self, ev, p, t):
        """A timer tick: remembered for the run/idle that may follow (a
        preemption); in kernel code it only marks the lane."""
        self.last_tick = ev
        if ev.get("verdict") == "kernel" and p:
            self.mark("tick-kernel", t, p.pid, "tick in kernel code (%s): not preempted, yields "
                      "at the call's tail" % ev.get("eip"), "tick")

    def on_run(self, ev, p, t):
        """The CPU goes to ev's process (run) or idles: the stretch of the
        process that had it ends, marked as preempted if a tick caught it in
        its program."""
        old = self.procs.get(self.running)
        if old:
            old.running.append((self.run_since, t, old.mode))
            tick = self.last_tick
            if tick and tick["pid"] == self.running and tick.get("verdict") in ("ap3", "ap0"):
                old.preempted += 1
                self.mark("preempt", tick["t"], self.running,
                          "%s preempted in its program (stack-pointer test: %s code, eip %s)" % (
                              old.name, "ring 3" if tick.get("verdict") == "ap3" else "ring 0 AP",
                              tick.get("eip")))
        self.last_tick = None
        self.running = ev["pid"] if ev["kind"] == "run" else 0
        self.run_since = t

    def on_fault(self, ev, p, t):
        """A page fault."""
        p.faults += 1
        self.mark("fault", t, p.pid, "%s: page fault at %s (%s), result %s" % (
            self.name(p.pid), ev.get("va"), "write" if ev.get("write") == "1" else "read",
            ev.get("result")))

    def on_pagein(self, ev, p, t):
        """A page read back from swap, on its owner's lane."""
        owner = self.proc(int(ev.get("owner", ev["pid"])))
        owner.pageins += 1
        self.mark("pagein", t, owner.pid, "page-in for %s from swap slot %s" % (
            owner.name, ev.get("slot")))

    def on_pageout(self, ev, p, t):
        """A page written to swap, on its owner's lane."""
        owner = self.proc(int(ev.get("owner", ev["pid"])))
        owner.pageouts += 1
        self.mark("pageout", t, owner.pid, "page-out of %s's page %s to slot %s (while %s ran)" % (
            owner.name, ev.get("va"), ev.get("slot"), self.name(ev["pid"])))

    def on_dfkill(self, ev, p, t):
        """A program killed by the double-fault task."""
        self.mark("dfkill", t, p.pid, "%s killed by double fault: Smode stack overflow at eip %s, "
                  "esp %s" % (self.name(p.pid), ev.get("eip"), ev.get("esp")))

    # kind -> (handler, whether it needs the event's process)
    ON_EVENT = {
        "sys": (on_sys, True), "sysret": (on_sysret, True), "exec": (on_exec, True),
        "fork": (on_fork, True), "exit": (on_exit, True), "apply": (on_apply, True),
        "refuse": (on_refuse, True), "tick": (on_tick, False), "run": (on_run, False),
        "idle": (on_run, False), "fault": (on_fault, True), "pagein": (on_pagein, False),
        "pageout": (on_pageout, False), "dfkill": (on_dfkill, True),
    }

    # ---- the whole trace ----

    def build(self):
        """Run every event through its handler, then close what is still open."""
        for ev in self.events:
            t, pid = ev["t"], ev["pid"]
            self.account(t)
            p = self.proc(pid) if pid else None
            if p and p.first is None:
                p.first = t
                self.mode_since.setdefault(pid, t)
            handler, needs_proc = self.ON_EVENT.get(ev["kind"], (None, False))
            if handler and (p or not needs_proc):
                handler(self, ev, p, t)
        self.close()
        return self

    def close(self):
        """At the trace's end: the running stretch, every lane's last colour,
        and an arrow for each request never applied."""
        t_last = self.t_last
        self.account(t_last)
        if self.running in self.procs:
            p = self.procs[self.running]
            p.running.append((self.run_since, t_last, p.mode))
        for pid, p in self.procs.items():
            end = p.exited if p.exited is not None else t_last
            p.segments.append((self.mode_since.get(pid, p.first or self.t_first), end, p.mode))
        for target, req in self.pending.items():
            self.arrows.append({"t0": req["t"], "pid0": req["pid"], "t1": t_last, "pid1": target,
                                "cls": "arrow pending-arrow",
                                "title": "pid %d asked pid %d to become %s: never applied (no "
                                "system call tail reached before the trace ends)" % (
                                    req["pid"], target, req.get("mode"))})


def model(tr):
    """(procs, marks, arrows, t_first, t_last) of trace tr: see Model."""
    m = Model(tr.events).build()
    return m.procs, m.marks, m.arrows, m.t_first, m.t_last


# ---- drawing ----
LANE_H, TOP, LEFT, WIDTH = 34, 30, 130, 1100
SHAPES = {  # SVG path of each mark, centred on 0,0
    "call-int80": "M-3,0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0",
    "call-fast": "M0,-4L4,3L-4,3Z",
    "call-slow": "M-3,-3h6v6h-6Z",
    "call-sysenter": "M0,-4L4,0L0,4L-4,0Z",
    "call-unknown": "M-2,-2h4v4h-4Z",  # its entry is not in the trace
    "applied": "M0,-9L2.5,-3L9,-3L4,1L6,8L0,4L-6,8L-4,1L-9,-3L-2.5,-3Z",
    "refused": "M-6,-6L6,6M6,-6L-6,6",
    "preempt": "M0,-12L0,-2M-3,-5L0,-2L3,-5",
    "tick-kernel": "M0,-12L0,-8",
    "fault": "M-1.5,-1.5h3v3h-3Z",
    "pagein": "M0,14L-4,8L4,8Z",
    "pageout": "M0,8L-4,14L4,14Z",
    "dfkill": "M-8,-8L8,8M8,-8L-8,8",
    "exit": "M-4,-8h8v16h-8Z",
    "req-bad": "M-3,-11h6v3h-6Z",
    "req-cancel": "M-3,-11h6v3h-6Z",
}
LEGEND = [
    ("lane-Umode", "lane: program in ring 3 (Umode); full height while it runs"),
    ("lane-Smode", "lane: program in ring 0 (Smode); full height while it runs"),
    ("call-int80", "system call by int 0x80"),
    ("call-fast", "function receiver, fast path"),
    ("call-slow", "function receiver, slow path"),
    ("call-sysenter", "sysenter"),
    ("arrow", "switch request: from the requester to where the target applied it"),
    ("applied", "switch applied at a system call's tail (state Z)"),
    ("refused", "switch refused at the tail"),
    ("pending", "request never applied (dashed)"),
    ("preempt", "preempted in its program (timer tick, AP code)"),
    ("tick-kernel", "tick in kernel code: not preempted"),
    ("pagein", "page-in"), ("pageout", "page-out"), ("fault", "page fault"),
    ("dfkill", "double-fault kill"), ("exit", "exit"),
]

CSS = """
body{font:13px sans-serif;margin:12px;color:#222}
h1{font-size:18px;margin:0 0 6px}
.warn{background:#fdd;border:1px solid #c00;padding:6px 10px;margin:6px 0;font-weight:bold}
.ok{color:#060}
#status{height:18px;margin:4px 0;font-family:monospace;white-space:nowrap;overflow:hidden}
svg{border:1px solid #ccc;background:#fff;cursor:grab}
.lanebg{fill:#f4f4f4}
.seg-Umode{fill:#9ecae1}.seg-Smode{fill:#fdae6b}
.run-Umode{fill:#3182bd}.run-Smode{fill:#e6550d}
.call{fill:#222;stroke:none}.recv-fast{fill:#a63603}.recv-slow{fill:#7b3294}
.recv-sysenter{fill:#31a354}.recv-int80{fill:#08519c}
.applied{fill:#ffd700;stroke:#000;stroke-width:1}
.refused{stroke:#c00;stroke-width:3;fill:none}
.arrow,.swatch{fill:none;stroke-width:1.6}
.applied-arrow{stroke:#000}.refused-arrow{stroke:#c00}
.pending-arrow{stroke:#c00;stroke-dasharray:5,4}
.preempt{stroke:#c00;stroke-width:1.5;fill:none}
.tick{stroke:#888;stroke-width:1;fill:none}
.fault{fill:#666}.pagein{fill:#2ca25f}.pageout{fill:#de2d26}
.dfkill{stroke:#900;stroke-width:4;fill:none}
.exit{fill:#000}.request{fill:#c00}
.lanelabel{font:12px monospace}
.axis text{font:10px sans-serif;fill:#555}.axis line{stroke:#ddd}
table{border-collapse:collapse;margin-top:10px}
td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}
th{background:#eee}td.l{text-align:left}
#legend{margin:6px 0}
#legend span{display:inline-block;margin-right:14px}
"""

JS = r"""
(function(){
var svg=document.getElementById('tl');
var T0=+svg.dataset.t0, T1=+svg.dataset.t1, L=+svg.dataset.left, W=+svg.dataset.width;
var v0=T0, v1=T1;
function X(t){return L+(t-v0)/(v1-v0)*W;}
function draw(){
  var i,e,els=svg.querySelectorAll('[data-t]');
  for(i=0;i<els.length;i++){e=els[i];
    e.setAttribute('transform','translate('+X(+e.dataset.t).toFixed(1)+','+e.dataset.y+')');}
  els=svg.querySelectorAll('[data-a]');
  for(i=0;i<els.length;i++){e=els[i];
    var a=Math.max(X(+e.dataset.a),L), b=Math.min(X(+e.dataset.b),L+W);
    e.setAttribute('x',a.toFixed(1)); e.setAttribute('width',Math.max(b-a,0.5).toFixed(1));}
  els=svg.querySelectorAll('path.arrow');
  for(i=0;i<els.length;i++){e=els[i];
    var x0=X(+e.dataset.t0),x1=X(+e.dataset.t1),y0=+e.dataset.y0,y1=+e.dataset.y1;
    var mid=(y0==y1)?y0-16:(y0+y1)/2;
    e.setAttribute('d','M'+x0.toFixed(1)+','+y0+' Q'+((x0+x1)/2).toFixed(1)+','+mid+' '+
      x1.toFixed(1)+','+y1);}
  var ax=document.getElementById('axis'); ax.innerHTML='';
  var span=v1-v0, step=Math.pow(10,Math.floor(Math.log10(span/8)));
  if(span/step>20)step*=5; else if(span/step>10)step*=2;
  for(var t=Math.ceil(v0/step)*step;t<=v1;t+=step){
    var x=X(t).toFixed(1);
    ax.insertAdjacentHTML('beforeend','<line x1="'+x+'" x2="'+x+'" y1="14" y2="'+
      svg.getAttribute('height')+'"/><text x="'+x+'" y="11" text-anchor="middle">'+
      ((t-T0)/1e6).toFixed(step<1e5?3:(step<1e6?1:0))+'M</text>');}
}
svg.addEventListener('wheel',function(ev){ev.preventDefault();
  var r=svg.getBoundingClientRect(), f=ev.deltaY<0?0.8:1.25;
  var tm=v0+(ev.clientX-r.left-L)/W*(v1-v0);
  v0=tm-(tm-v0)*f; v1=tm+(v1-tm)*f;
  if(v1-v0>T1-T0){v0=T0;v1=T1;} draw();},{passive:false});
var drag=null;
svg.addEventListener('mousedown',function(ev){drag={x:ev.clientX,a:v0,b:v1};});
window.addEventListener('mouseup',function(){drag=null;});
window.addEventListener('mousemove',function(ev){if(!drag)return;
  var dt=(ev.clientX-drag.x)/W*(drag.b-drag.a); v0=drag.a-dt; v1=drag.b-dt; draw();});
svg.addEventListener('dblclick',function(){v0=T0;v1=T1;draw();});
document.getElementById('zin').onclick=function(){var m=(v0+v1)/2,h=(v1-v0)/4;v0=m-h;v1=m+h;draw();};
document.getElementById('zout').onclick=function(){var m=(v0+v1)/2,h=(v1-v0);
  v0=Math.max(T0,m-h);v1=Math.min(T1,m+h);draw();};
document.getElementById('zreset').onclick=function(){v0=T0;v1=T1;draw();};
var st=document.getElementById('status');
svg.addEventListener('mouseover',function(ev){var e=ev.target.closest('[data-title]');
  if(e)st.textContent=e.dataset.title;});
draw();
})();
"""


def esc(s):
    """s escaped for HTML text and attribute values."""
    return html.escape(str(s), quote=True)


def fmt_cycles(n):
    """n cycles in millions, as the page shows them."""
    return "%.2fM" % (n / 1e6)


def draw_svg(procs, order, marks, arrows, t0, t1):
    """The timeline's SVG: a lane per pid of order (its mode stretches and
    running stretches), then the arrows and the marks. The page's script
    places everything by data-t/data-a/data-b. Returns its lines."""
    lane_y = {pid: TOP + i * LANE_H + LANE_H // 2 for i, pid in enumerate(order)}
    height = TOP + len(order) * LANE_H + 10
    out = []
    svg = out.append
    svg('<svg id="tl" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'data-t0="%d" data-t1="%d" data-left="%d" data-width="%d">' %
        (LEFT + WIDTH + 20, height, t0, t1, LEFT, WIDTH))
    svg('<g id="axis" class="axis"></g>')
    for pid in order:
        p, y = procs[pid], lane_y[pid]
        svg('<g class="lane" data-pid="%d" data-name="%s">' % (pid, esc(p.name)))
        svg('<rect class="lanebg" x="%d" y="%d" width="%d" height="%d"/>' %
            (LEFT, y - LANE_H // 2 + 2, WIDTH, LANE_H - 4))
        svg('<text class="lanelabel" x="4" y="%d">%s</text>' % (y + 4, esc(p.name[:16])))
        for a, b, mode in p.segments:
            svg('<rect class="seg seg-%s" data-a="%d" data-b="%d" y="%d" height="6" '
                'data-title="%s: %s (ring %d)"/>' % (mode, a, b, y - 3, esc(p.name), mode,
                                                      0 if mode == "Smode" else 3))
        for a, b, mode in p.running:
            svg('<rect class="run run-%s" data-a="%d" data-b="%d" y="%d" height="%d" '
                'data-title="%s runs, program in ring %d (%s), %s cycles"/>' %
                (mode, a, b, y - 9, 18, esc(p.name), 0 if mode == "Smode" else 3, mode,
                 fmt_cycles(b - a)))
        svg('</g>')
    for ar in arrows:
        svg('<path class="%s" data-t0="%d" data-t1="%d" data-y0="%d" data-y1="%d" '
            'marker-end="url(#head)" data-title="%s"><title>%s</title></path>' %
            (ar["cls"], ar["t0"], ar["t1"], lane_y.get(ar["pid0"], TOP),
             lane_y.get(ar["pid1"], TOP), esc(ar["title"]), esc(ar["title"])))
    for mk in marks:
        if mk["pid"] not in lane_y:
            continue
        svg('<path class="mark %s" d="%s" data-t="%d" data-y="%d" data-title="%s">'
            '<title>%s</title></path>' % (mk["cls"], SHAPES[mk["kind"]], mk["t"],
                                          lane_y[mk["pid"]], esc(mk["title"]),
                                          esc(mk["title"])))
    svg('<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0L8,4L0,8Z" fill="#000"/></marker></defs>')
    svg('</svg>')
    return out


def warnings_html(tr):
    """What the reader must be told about the trace: truncated, dropped
    events, or that it is complete."""
    warn = []
    for why in tr.truncated:
        warn.append('<div class="warn truncated">Truncated trace: %s.</div>' % esc(why))
    if tr.dropped:
        warn.append('<div class="warn dropped">The kernel dropped %d events: its buffer was '
                    'full (read it out more often, or trace fewer kinds with trace=MASK). '
                    'Gaps in the lanes may hide calls.</div>' % tr.dropped)
    if not warn:
        warn.append('<div class="ok">Complete trace: %d events, none dropped.</div>' %
                    len(tr.events))
    return warn


def legend_html():
    """The legend: a swatch and a line for each entry of LEGEND."""
    legend = ['<div id="legend">']
    for key, text in LEGEND:
        if key.startswith("lane-"):
            sw = '<rect class="run-%s" x="0" y="2" width="20" height="12"/>' % key[5:]
        elif key == "arrow":
            sw = '<path class="swatch applied-arrow" d="M1,12 Q10,0 19,12"/>'
        elif key == "pending":
            sw = '<path class="swatch pending-arrow" d="M1,8 L19,8"/>'
        else:
            cls = {"call-int80": "call recv-int80", "call-fast": "call recv-fast",
                   "call-slow": "call recv-slow", "call-sysenter": "call recv-sysenter",
                   "tick-kernel": "tick"}.get(key, key)
            sw = '<path class="%s" d="%s" transform="translate(10,%d)"/>' % (
                cls, SHAPES[key], 16 if key in ("preempt", "tick-kernel") else
                (-3 if key in ("pagein", "pageout") else 8))
        legend.append('<span class="legend-item"><svg width="20" height="16">%s</svg> %s</span>'
                      % (sw, esc(text)))
    legend.append('</div>')
    return legend


def summary_table(procs, order):
    """The summary: a row per process of calls per path, time per ring and counts."""
    rows = ['<table id="summary"><tr><th>pid</th><th>program</th>'] + \
        ['<th>%s</th>' % esc(RECV_TITLE[r]) for r in RECVS] + \
        ['<th>ring 3 (Umode program)</th><th>ring 0 (Smode program)</th>'
         '<th>kernel (in calls)</th><th>switches</th><th>refused</th><th>preempted</th>'
         '<th>page faults</th><th>page-ins</th><th>page-outs</th></tr>']
    for pid in order:
        p = procs[pid]
        rows.append('<tr class="proc" data-pid="%d"><td>%d</td><td class="l">%s</td>' %
                    (pid, pid, esc(p.name.split(" ", 1)[-1])) +
                    ''.join('<td>%d</td>' % p.calls[r] for r in RECVS) +
                    ''.join('<td>%s</td>' % fmt_cycles(p.time[k])
                            for k in ("ring3", "ring0", "kernel")) +
                    '<td class="switches">%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>'
                    '<td>%d</td></tr>' % (p.switches, p.refused, p.preempted, p.faults,
                                          p.pageins, p.pageouts))
    rows.append('</table>')
    return rows


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title><style>%s</style></head>
<body data-events="%d" data-dropped="%d" data-truncated="%d" data-applied="%d">
<h1>%s</h1>
%s
<div>Time in millions of TSC cycles (under -icount: guest instructions) from the first
event. Wheel: zoom, drag: pan, double-click: all.
<button id="zin">zoom in</button> <button id="zout">zoom out</button>
<button id="zreset">all</button></div>
<div id="status">hover over a mark to name it</div>
%s
%s
%s
<script>%s</script>
</body></html>
"""


def render(tr, title):
    """The whole page for trace tr: warnings, timeline, legend, summary."""
    procs, marks, arrows, t0, t1 = model(tr)
    if t1 <= t0:
        t1 = t0 + 1
    order = sorted(p for p in procs if p)
    svg = draw_svg(procs, order, marks, arrows, t0, t1)
    applied = sum(1 for m in marks if m["kind"] == "applied")
    return PAGE % (esc(title), CSS, len(tr.events), tr.dropped, 1 if tr.truncated else 0, applied,
                   esc(title), "\n".join(warnings_html(tr)), "\n".join(svg),
                   "\n".join(legend_html()), "\n".join(summary_table(procs, order)), JS)


def main():
    """Read the trace, write the page, print a line of counts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace", help="the serial output of a boot with trace=1")
    ap.add_argument("out", help="the HTML page to write")
    ap.add_argument("--title", help="the page's title (default: DMSM event trace: TRACE)")
    args = ap.parse_args()
    with open(args.trace, errors="replace") as f:
        tr = parse(f)
    page = render(tr, args.title or "DMSM event trace: " + args.trace)
    with open(args.out, "w") as f:
        f.write(page)
    print("timeline: %d events, %d processes, %d switches applied, %d dropped%s -> %s" % (
        len(tr.events), len({e["pid"] for e in tr.events if e["pid"]}),
        sum(1 for e in tr.events if e["kind"] == "apply"), tr.dropped,
        ", TRUNCATED" if tr.truncated else "", args.out))


if __name__ == "__main__":
    main()
