from settle.common.logfilters import redact


def test_it_masks_an_adyen_session_result_in_a_request_line():
    line = (
        '"GET /pay/return/abcdefghijklmnop?sessionId=CS1&sessionResult=X3!a%2Bb/c== HTTP/1.1" 200'
    )
    masked = redact(line)
    assert "X3!a" not in masked
    assert "sessionResult=[redacted] HTTP/1.1" in masked
    assert "abcdefghijklmnop" not in masked


def test_it_masks_a_percent_encoded_session_result():
    assert redact("next=%2Fpay%3FsessionResult%3DSECRET123") == (
        "next=%2Fpay%3FsessionResult%3D[redacted]"
    )
