//! FIT's checksum. The FIT SDK describes it as a nibble-table CRC-16; it is the catalogued
//! CRC-16/ARC (poly 0x8005 reflected, init 0, no final xor), so the `crc` crate's slice-by-16
//! table computes it several times faster than the SDK's four-bits-at-a-time loop. The FIT
//! decoder (`hamstride-ingest`, every segment of every file: a hot path) and the workout
//! writer (`hamstride-export`) share this one definition.

use crc::{Crc, Table, CRC_16_ARC};

static FIT_CRC: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&CRC_16_ARC);

/// CRC of `bytes` as FIT defines it (start value 0).
#[inline]
pub fn checksum(bytes: &[u8]) -> u16 {
    FIT_CRC.checksum(bytes)
}

#[cfg(test)]
mod tests {
    use super::checksum;

    /// The FIT SDK's reference algorithm, one nibble at a time, kept here only to prove the
    /// table-driven version computes the same thing.
    fn sdk_nibble_crc(bytes: &[u8]) -> u16 {
        const TABLE: [u16; 16] = [
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
            0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
        ];
        let mut crc: u16 = 0;
        for &byte in bytes {
            let mut tmp = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from(byte & 0xF)];
            tmp = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from((byte >> 4) & 0xF)];
        }
        crc
    }

    #[test]
    fn table_crc_equals_sdk_nibble_crc() {
        assert_eq!(checksum(b"123456789"), 0xBB3D);
        assert_eq!(sdk_nibble_crc(b"123456789"), 0xBB3D);
        let header = [
            14u8, 0x10, 0xD9, 0x07, 0x10, 0x00, 0x00, 0x00, b'.', b'F', b'I', b'T',
        ];
        assert_eq!(checksum(&header), sdk_nibble_crc(&header));
        // Long enough to exercise the 16-byte stride and its tail.
        let long: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for len in [0, 1, 15, 16, 17, 255, 1000] {
            assert_eq!(
                checksum(&long[..len]),
                sdk_nibble_crc(&long[..len]),
                "len {len}"
            );
        }
    }

    #[test]
    fn crc_over_data_and_its_crc_is_zero() {
        // What lets a 14-byte header's CRC be skipped: the running CRC returns to 0.
        let data = b"any bytes at all";
        let c = checksum(data);
        let mut with = data.to_vec();
        with.extend_from_slice(&c.to_le_bytes());
        assert_eq!(checksum(&with), 0);
    }
}
