"""The experimenter's dialog: participant, session and group, checked before anything opens.

Qt (PyQt6, which PsychoPy's own ``psychopy.gui`` uses) rather than ``psychopy.gui``:
the same toolkit, but the dialog can keep itself open and show what is wrong with a
label (``psychopy.gui.Dlg`` closes on OK and would have to be re-created), and its
fields have stable object names. It runs under Xvfb like on a station, and a test
fills it with real X key events (xdotool): the participant field has the focus, Tab
moves to the session and group lists, Return presses OK.
"""

from __future__ import annotations

from collections.abc import Callable


def ask_session_labels(*, sessions: list[str], groups: list[str], check_label: Callable,
                       default_session: str | None = None, title: str = "icb: new session",
                       header: str = "", recorded_group: Callable | None = None,
                       group_problem: Callable | None = None) -> tuple[str, str, str] | None:
    """Show the dialog; return ``(participant, session, group)``, or None on Cancel.

    ``check_label(kind, value)`` returns the checked label or raises an exception whose
    message says what is allowed; the message is shown in the dialog, which stays open.
    No group is preselected: ``recorded_group(participant)`` (``n/a`` when none) fills in a
    known participant's group as the label is typed; ``group_problem(participant, group)``
    says why a choice is refused (a group that differs from the recorded one).
    """
    from PyQt6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["icb"])
    dialog = QtWidgets.QDialog()
    dialog.setWindowTitle(title)
    dialog.setObjectName("icb-session-dialog")
    layout = QtWidgets.QVBoxLayout(dialog)
    if header:
        intro = QtWidgets.QLabel(header)
        intro.setWordWrap(True)
        layout.addWidget(intro)
    form = QtWidgets.QFormLayout()
    participant = QtWidgets.QLineEdit()
    participant.setObjectName("participant")
    participant.setPlaceholderText("letters and digits only, e.g. 07")
    session = QtWidgets.QComboBox()
    session.setObjectName("session")
    session.addItems(sessions)
    if default_session in sessions:
        session.setCurrentIndex(sessions.index(default_session))
    group = QtWidgets.QComboBox()
    group.setObjectName("group")
    group.addItems(groups)
    group.setCurrentIndex(-1)  # nothing preselected: Enter cannot choose an arm by accident
    group.setPlaceholderText("choose")
    recorded_note = QtWidgets.QLabel("")
    recorded_note.setObjectName("recorded-group")

    def show_recorded(text: str) -> None:
        known = recorded_group(text.strip()) if recorded_group and text.strip() else "n/a"
        if known in groups and known != "n/a":
            group.setCurrentIndex(groups.index(known))
            recorded_note.setText(f"recorded group of sub-{text.strip()}: {known}")
        else:
            recorded_note.setText("")

    participant.textChanged.connect(show_recorded)
    form.addRow("Participant", participant)
    form.addRow("Session", session)
    form.addRow("Group", group)
    form.addRow("", recorded_note)
    layout.addLayout(form)
    problem = QtWidgets.QLabel("")
    problem.setObjectName("problem")
    problem.setStyleSheet("color: #b00020")
    problem.setWordWrap(True)
    layout.addWidget(problem)
    buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                         | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
    layout.addWidget(buttons)
    result: dict = {}

    def on_ok() -> None:
        text = participant.text().strip()
        try:
            label = check_label("participant", text)
        except ValueError as exc:  # BadInput is a ValueError: show it and ask again
            problem.setText(str(exc))
            participant.selectAll()
            participant.setFocus()
            return
        if group.currentIndex() < 0:
            problem.setText("Group: choose one of " + ", ".join(groups)
                            + " (nothing is preselected)")
            group.setFocus()
            return
        refused = group_problem(label, group.currentText()) if group_problem else None
        if refused:
            problem.setText(refused)
            group.setFocus()
            return
        result["labels"] = (label, session.currentText(), group.currentText())
        dialog.accept()

    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    ok_button = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    ok_button.setDefault(True)
    dialog.resize(460, 0)
    participant.setFocus()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    # Without a window manager (Xvfb) nobody gives the dialog the keyboard focus.
    QtCore.QTimer.singleShot(0, lambda: (dialog.activateWindow(), participant.setFocus()))
    dialog.exec()
    dialog.deleteLater()
    app.processEvents()
    return result.get("labels")
