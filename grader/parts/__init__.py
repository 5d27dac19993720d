"""The parts assignments are made of: one module per part (or family of parts), each
exporting functions that build its ``Part``: the checks, the inputs they are asked on,
and the hints for the mistakes it recognises. ``common`` holds the input makers more
than one part uses. Suites (``grader/suites/``) compose parts."""
