"""How long the event loop stalls, for the GUI benchmarks."""


def stall_probe():
    """Starts a 5 ms timer; returns it and the list of milliseconds between its ticks, where a gap
    well over 5 ms is the event loop stalled. Stop the timer when the measurement ends."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock, gaps, last = QElapsedTimer(), [], [0]
    clock.start()

    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    last[0] = clock.elapsed()
    timer.start()
    return timer, gaps
