"""The call path: the /media-stream WebSocket, call sessions, live transcription, the seat's voice and
barge-in, and the phones that speak the same protocol (softphone, desk phone, `hotline simulate`)."""
