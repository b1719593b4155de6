"""Qt-free core shared by the command line and the editor."""
