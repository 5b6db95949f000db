use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::Error;
use crate::generated::piv::sds as fb;

/// The module SDK's echo request and the reference echo's response.
const REQUEST: &[u8] = include_bytes!("../../tests/data/module-sdk/echo.request.piv");
const RESPONSE: &[u8] = include_bytes!("../../tests/data/module-sdk/echo.response.piv");

/// The 16-byte `$OMM` stand-in both vectors carry as their one payload.
const OMM_PAYLOAD: &[u8] = &[16, 0, 0, 0, b'$', b'O', b'M', b'M', 1, 2, 3, 4, 5, 6, 7, 8];

const OMM: TypeRef<'static> = TypeRef {
    schema_name: "OMM.fbs",
    file_identifier: "$OMM",
    schema_version: "",
    root_type: "OMM",
    schema_hash: &[],
    accepts_any_flatbuffer: false,
    wire_format: wire_format::FLATBUFFER,
    fixed_string_length: 0,
    byte_length: 0,
    required_alignment: 0,
};

/// Where `part` (a subslice of `buf`) starts in `buf`.
fn position(buf: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - buf.as_ptr() as usize
}

fn echo_tab(port_id: &'static str) -> Tab<'static> {
    Tab {
        port_id,
        offset: 0,
        size: 16,
        alignment: 8,
        wire_format: wire_format::FLATBUFFER,
        mutability: mutability::IMMUTABLE,
        ownership: ownership::HOST_OWNED,
        frame_id: 0,
        type_ref: Some(OMM),
    }
}

#[test]
fn decodes_the_module_sdk_echo_request() {
    let request = decode_request(REQUEST).unwrap();
    assert_eq!(request.method_id, "echo");
    assert_eq!(request.inputs, vec![echo_tab("request")]);
    assert_eq!(request.trace_id, 0);
    assert_eq!(request.output_stream_cap, 0);
    assert_eq!(request.arena, OMM_PAYLOAD);
    assert_eq!(request.arena_payload(&request.inputs[0]), Some(OMM_PAYLOAD));
    // The reference encoder 8-aligns the arena too.
    assert_eq!(position(REQUEST, request.arena) % ARENA_ALIGN, 0);
}

#[test]
fn decodes_the_reference_echo_response() {
    let response = decode_response(RESPONSE).unwrap();
    assert_eq!(response.status_code, 0);
    assert_eq!(response.status, status::OK);
    assert!(!response.yielded);
    assert_eq!(response.backlog_remaining, 0);
    assert_eq!(response.outputs, vec![echo_tab("response")]);
    assert_eq!(
        response.arena_payload(&response.outputs[0]),
        Some(OMM_PAYLOAD)
    );
    assert_eq!((response.error_code, response.error_message), (None, None));
    assert_eq!(response.trace_id, 0);
}

#[test]
fn a_request_is_not_a_response_and_back() {
    assert_eq!(
        decode_response(REQUEST),
        Err(Error::Missing {
            field: "PIV.RESPONSE"
        })
    );
    assert_eq!(
        decode_request(RESPONSE),
        Err(Error::Missing {
            field: "PIV.REQUEST"
        })
    );
}

#[test]
fn echoing_the_request_gives_the_reference_response() {
    let request = decode_request(REQUEST).unwrap();
    let tab = &request.inputs[0];
    let echoed = encode_response_frames(
        0,
        status::OK,
        None,
        None,
        &[FrameOut {
            port_id: "response",
            payload: request.arena_payload(tab).unwrap(),
            type_ref: tab.type_ref,
            frame_id: tab.frame_id,
        }],
        request.trace_id,
    );
    assert_eq!(
        decode_response(&echoed).unwrap(),
        decode_response(RESPONSE).unwrap()
    );
}

fn full_type_ref() -> TypeRef<'static> {
    TypeRef {
        schema_name: "GRV.fbs",
        file_identifier: "$GRV",
        schema_version: "0.0.5",
        root_type: "GRV",
        schema_hash: &[0x36, 0xda, 0xc7, 0xb1],
        accepts_any_flatbuffer: true,
        wire_format: wire_format::ALIGNED_BINARY,
        fixed_string_length: 12,
        byte_length: 72,
        required_alignment: 8,
    }
}

#[test]
fn requests_round_trip() {
    let payloads: [&[u8]; 4] = [b"abc", b"", b"0123456789abcdefg", &[0xff; 8]];
    let frames: Vec<FrameOut<'_>> = payloads
        .iter()
        .enumerate()
        .map(|(i, payload)| FrameOut {
            port_id: if i == 1 { "" } else { "in" },
            payload,
            type_ref: (i % 2 == 0).then(full_type_ref),
            frame_id: (i as u64) << 1 | u64::from(i == 3),
        })
        .collect();
    let bytes = encode_request("propagate", &frames, u64::MAX - 1);
    assert_eq!(&bytes[4..8], b"$PIV");
    let request = decode_request(&bytes).unwrap();
    assert_eq!(request.method_id, "propagate");
    assert_eq!(request.trace_id, u64::MAX - 1);
    assert_eq!(request.inputs.len(), frames.len());
    for (tab, frame) in request.inputs.iter().zip(&frames) {
        assert_eq!(request.arena_payload(tab), Some(frame.payload));
        assert_eq!(tab.port_id, frame.port_id);
        assert_eq!(tab.type_ref, frame.type_ref);
        assert_eq!(tab.frame_id, frame.frame_id);
        assert_eq!(tab.alignment, 8);
        assert_eq!(tab.offset % 8, 0);
        let wire = frame
            .type_ref
            .map_or(wire_format::FLATBUFFER, |t| t.wire_format);
        assert_eq!(tab.wire_format, wire);
        assert_eq!((tab.mutability, tab.ownership), (0, 0));
    }
}

#[test]
fn responses_round_trip() {
    let arena = [7u8; 24];
    let outputs = [
        Tab {
            port_id: "response",
            offset: 0,
            size: 5,
            alignment: 8,
            wire_format: wire_format::ALIGNED_BINARY,
            mutability: mutability::APPEND_ONLY,
            ownership: ownership::TRANSFERRED,
            frame_id: 3,
            type_ref: Some(full_type_ref()),
        },
        Tab {
            port_id: "log",
            offset: 8,
            size: 16,
            ..echo_tab("")
        },
    ];
    let bytes = encode_response(&ResponseOut {
        status_code: 400,
        status: status::FAILED,
        error_code: Some("unsupported-input-type"),
        error_message: Some("port `request` takes $OMM"),
        outputs: &outputs,
        arena: &arena,
        trace_id: 42,
    });
    let response = decode_response(&bytes).unwrap();
    assert_eq!(response.status_code, 400);
    assert_eq!(response.status, status::FAILED);
    assert_eq!(response.error_code, Some("unsupported-input-type"));
    assert_eq!(response.error_message, Some("port `request` takes $OMM"));
    assert_eq!(response.outputs, outputs);
    assert_eq!(response.arena, arena);
    assert_eq!(response.trace_id, 42);
    assert!(!response.yielded);
}

#[test]
fn default_ownership_is_left_out() {
    let bytes = encode_response_frames(
        0,
        status::OK,
        None,
        None,
        &[FrameOut {
            port_id: "response",
            payload: b"x",
            type_ref: None,
            frame_id: 0,
        }],
        0,
    );
    let root = fb::root_as_piv(&bytes).unwrap();
    let outputs = root.response().unwrap().outputs().unwrap();
    let tab = outputs.get(0);
    assert_eq!(tab._tab.vtable().get(fb::TAB::VT_OWNERSHIP), 0);
    assert_ne!(tab._tab.vtable().get(fb::TAB::VT_ALIGNMENT), 0);
    assert!(tab.type_ref().is_none());
}

#[test]
fn empty_envelopes_round_trip() {
    let bytes = encode_request("", &[], 0);
    let request = decode_request(&bytes).unwrap();
    assert_eq!(request.method_id, "");
    assert!(request.inputs.is_empty() && request.arena.is_empty());
    let bytes =
        encode_response_frames(404, status::NOT_FOUND, Some("unknown-method"), None, &[], 9);
    let response = decode_response(&bytes).unwrap();
    assert_eq!(
        (response.status_code, response.status),
        (404, status::NOT_FOUND)
    );
    assert_eq!(response.error_code, Some("unknown-method"));
    assert!(response.outputs.is_empty() && response.arena.is_empty());
    assert_eq!(response.trace_id, 9);
}

/// Whatever the sizes around it, the arena's first byte sits 8-aligned in
/// the finished buffer (and the buffer's length is a multiple of 8), so a
/// copy at an 8-aligned address has 8-aligned payloads.
#[test]
fn arena_data_is_8_aligned_in_the_finished_buffer() {
    let data = [0xa5u8; 40];
    for method_len in 0..12 {
        let method = &"mmmmmmmmmmmm"[..method_len];
        for first in 0..=17 {
            for second in [0, 1, 3, 8, 13] {
                let port = &"pppppppp"[..(first + second) % 8];
                let frames = [
                    FrameOut {
                        port_id: port,
                        payload: &data[..first],
                        type_ref: (second % 2 == 1).then_some(OMM),
                        frame_id: 0,
                    },
                    FrameOut {
                        port_id: "b",
                        payload: &data[..second],
                        type_ref: None,
                        frame_id: 1,
                    },
                ];
                let bytes = encode_request(method, &frames, first as u64);
                let request = decode_request(&bytes).unwrap();
                for (tab, frame) in request.inputs.iter().zip(&frames) {
                    assert_eq!(request.arena_payload(tab), Some(frame.payload));
                }
                if request.arena.is_empty() {
                    // Both payloads empty: no arena is written.
                    assert_eq!(first + second, 0);
                    continue;
                }
                assert_eq!(bytes.len() % ARENA_ALIGN, 0);
                assert_eq!(position(&bytes, request.arena) % ARENA_ALIGN, 0);
                for tab in &request.inputs {
                    let payload = request.arena_payload(tab).unwrap();
                    assert_eq!(position(&bytes, payload) % ARENA_ALIGN, 0);
                }

                let bytes = encode_response_frames(0, 0, Some(method), None, &frames, 0);
                let response = decode_response(&bytes).unwrap();
                assert_eq!(bytes.len() % ARENA_ALIGN, 0);
                assert_eq!(position(&bytes, response.arena) % ARENA_ALIGN, 0);
            }
        }
    }
}

#[test]
fn arena_payload_out_of_range_is_none() {
    let request = decode_request(REQUEST).unwrap();
    let past = Tab {
        offset: 8,
        size: 9,
        ..request.inputs[0]
    };
    assert_eq!(request.arena_payload(&past), None);
    let wrapping = Tab {
        offset: u32::MAX,
        size: u32::MAX,
        ..request.inputs[0]
    };
    assert_eq!(request.arena_payload(&wrapping), None);
    let empty = RequestView {
        arena: &[],
        ..request.clone()
    };
    assert_eq!(empty.arena_payload(&request.inputs[0]), None);
}

#[test]
fn wrong_identifier_is_refused() {
    let mut bytes = REQUEST.to_vec();
    bytes[4..8].copy_from_slice(b"$TAB");
    let expected = Err(Error::WrongIdentifier { expected: "$PIV" });
    assert_eq!(decode_request(&bytes), expected);
    assert_eq!(
        decode_request(b"$PIV").map(|_| ()),
        Err(Error::WrongIdentifier { expected: "$PIV" })
    );
    assert_eq!(
        decode_response(&[]).map(|_| ()),
        Err(Error::WrongIdentifier { expected: "$PIV" })
    );
}

/// Cutting a vector short is an error, unless only the zero padding after
/// its last string's terminator goes.
#[test]
fn truncated_input_is_an_error() {
    for vector in [REQUEST, RESPONSE] {
        // Both end with a string ("echo", "OMM.fbs"): its last byte, then
        // the terminator, then padding.
        let content = vector.iter().rposition(|&b| b != 0).unwrap() + 2;
        assert!(content >= vector.len() - 3);
        for len in 0..content {
            assert!(decode_request(&vector[..len]).is_err(), "{len} bytes");
            assert!(decode_response(&vector[..len]).is_err(), "{len} bytes");
        }
    }
}

/// Every single-byte corruption of both vectors, and pseudo-random buffers
/// carrying the right identifier, decode to `Ok` or `Err`: never a panic.
#[test]
fn garbage_never_panics() {
    for vector in [REQUEST, RESPONSE] {
        for i in 0..vector.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bytes = vector.to_vec();
                bytes[i] ^= flip;
                let _ = decode_request(&bytes);
                let _ = decode_response(&bytes);
            }
        }
    }
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for len in 8..300 {
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        bytes[4..8].copy_from_slice(b"$PIV");
        bytes[0] = (len as u8) & 0xfc;
        bytes[1..4].fill(0);
        assert!(decode_request(&bytes).is_err(), "{bytes:02x?}");
        assert!(decode_response(&bytes).is_err(), "{bytes:02x?}");
    }
}

#[test]
fn field_slots_are_the_documented_ids() {
    // vtable slot = 4 + 2 * id (module-abi.md).
    assert_eq!((fb::PIV::VT_REQUEST, fb::PIV::VT_RESPONSE), (4, 6));
    assert_eq!(fb::PIVRequest::VT_METHOD_ID, 4);
    assert_eq!(fb::PIVRequest::VT_OUTPUT_STREAM_CAP, 4 + 2 * 4);
    assert_eq!(fb::PIVResponse::VT_STATUS_CODE, 4);
    assert_eq!(fb::PIVResponse::VT_OUTPUTS, 4 + 2 * 4);
    assert_eq!(fb::PIVResponse::VT_TRACE_ID, 4 + 2 * 8);
    assert_eq!(fb::TAB::VT_OFFSET, 4);
    assert_eq!(fb::TAB::VT_TYPE_REF, 4 + 2 * 4);
    assert_eq!(fb::TAB::VT_PORT_ID, 4 + 2 * 8);
    assert_eq!(fb::FlatBufferTypeRef::VT_SCHEMA_HASH, 4 + 2 * 4);
    assert_eq!(fb::FlatBufferTypeRef::VT_REQUIRED_ALIGNMENT, 4 + 2 * 9);
    assert_eq!(fb::pivStatus::FAILED.0, status::FAILED);
    assert_eq!(
        fb::payloadWireFormat::ALIGNED_BINARY.0,
        wire_format::ALIGNED_BINARY
    );
    assert_eq!(fb::bufferOwnership::TRANSFERRED.0, ownership::TRANSFERRED);
    assert_eq!(fb::bufferMutability::APPEND_ONLY.0, mutability::APPEND_ONLY);
}
