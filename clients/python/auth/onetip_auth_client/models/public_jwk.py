from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PublicJwk")


@_attrs_define
class PublicJwk:
    """A public Ed25519 key as published in the JWKS.

    Attributes:
        crv (str): `Ed25519`.
        kid (str):
        kty (str): `OKP`.
        x (str): The public key, base64url.
        alg (str | Unset): `EdDSA`.
        use (str | Unset): `sig`.
    """

    crv: str
    kid: str
    kty: str
    x: str
    alg: str | Unset = UNSET
    use: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        crv = self.crv

        kid = self.kid

        kty = self.kty

        x = self.x

        alg = self.alg

        use = self.use

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "crv": crv,
                "kid": kid,
                "kty": kty,
                "x": x,
            }
        )
        if alg is not UNSET:
            field_dict["alg"] = alg
        if use is not UNSET:
            field_dict["use"] = use

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        crv = d.pop("crv")

        kid = d.pop("kid")

        kty = d.pop("kty")

        x = d.pop("x")

        alg = d.pop("alg", UNSET)

        use = d.pop("use", UNSET)

        public_jwk = cls(
            crv=crv,
            kid=kid,
            kty=kty,
            x=x,
            alg=alg,
            use=use,
        )

        public_jwk.additional_properties = d
        return public_jwk

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
