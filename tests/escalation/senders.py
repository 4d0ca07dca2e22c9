"""Text-message senders for the tests: one that records what it sent and can be told to fail or hang."""

import threading


class RecordingSender:
    sent: list[tuple[str, str]] = []
    failing = False
    hanging = False
    release = threading.Event()

    @classmethod
    def reset(cls) -> None:
        cls.sent = []
        cls.failing = cls.hanging = False
        cls.release = threading.Event()

    def send(self, phone: str, message: str) -> None:
        if self.hanging:
            self.release.wait(30)
        if self.failing:
            raise ConnectionError("短信网关无响应")
        self.sent.append((phone, message))
