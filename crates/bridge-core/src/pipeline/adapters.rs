//! The ports implemented with the real API clients.

use async_trait::async_trait;
use digishare_client::{DigishareClient, DigishareError, NewTicket, Third, TicketUpdate};
use shaq_client::{
    Collection, Destination, Handling, Item, NewPackage, PackageBasics, PackageType, PackageUpdate,
    ShaqClient, ShaqError,
};

use super::ports::{
    Courier, Label, PackageInfo, PackageRequest, Region, TicketInfo, TicketRequest, Ticketing,
    TrackingStep, UpstreamError, UpstreamResult,
};

impl From<ShaqError> for UpstreamError {
    fn from(error: ShaqError) -> Self {
        let message = format!("ShaQ: {error}");
        if let ShaqError::NotFound(_) = error {
            UpstreamError::NotFound { message }
        } else if error.is_retryable() {
            UpstreamError::Transient {
                message,
                retry_after: error.retry_after(),
            }
        } else {
            UpstreamError::Rejected { message }
        }
    }
}

impl From<DigishareError> for UpstreamError {
    fn from(error: DigishareError) -> Self {
        let message = format!("Digishare: {error}");
        if let DigishareError::NotFound(_) = error {
            UpstreamError::NotFound { message }
        } else if error.is_retryable() {
            UpstreamError::Transient {
                message,
                retry_after: error.retry_after(),
            }
        } else {
            UpstreamError::Rejected { message }
        }
    }
}

fn new_package(request: &PackageRequest) -> NewPackage {
    let destination = match (request.region_id, &request.destination_region) {
        (Some(id), _) => Destination::RegionId(id),
        (None, Some(name)) => Destination::RegionName(name.clone()),
        (None, None) => Destination::RegionName(request.destination_city.clone()),
    };
    let collection = if request.amount_to_collect.is_zero() {
        Collection::Prepaid
    } else {
        Collection::CashOnDelivery(request.amount_to_collect)
    };
    let items = request
        .items
        .iter()
        .map(|i| Item {
            name: i.name.clone(),
            quantity: i.quantity,
        })
        .collect();
    let mut package = NewPackage::new(
        PackageBasics {
            partner_ref: request.partner_ref.clone(),
            customer_name: request.customer_name.clone(),
            customer_phone: request.customer_phone_1.clone(),
            source: (
                request.source_country_iso2.clone(),
                request.source_address_line_1.clone(),
            ),
            destination_country_iso2: request.destination_country_iso2.clone(),
            destination,
            city_and_street: (
                request.destination_city.clone(),
                request.destination_address_line_1.clone(),
            ),
            description: request.description.clone(),
            value: request.value,
        },
        collection,
        items,
    );
    package.customer_phone_2 = request.customer_phone_2.clone();
    package.source_address_line_2 = request.source_address_line_2.clone();
    package.destination_address_line_2 = request.destination_address_line_2.clone();
    package.destination_postal_code = request.destination_postal_code.clone();
    package.units = request.units;
    package.package_type = if request.package_type == "parcel" {
        PackageType::Parcel
    } else {
        PackageType::Box
    };
    package.handling = if request.handling == "fragile" {
        Handling::Fragile
    } else {
        Handling::Normal
    };
    package.special_instructions = request.special_instructions.clone();
    package
}

#[async_trait]
impl Courier for ShaqClient {
    async fn regions(&self) -> UpstreamResult<Vec<Region>> {
        Ok(ShaqClient::regions(self)
            .await?
            .into_iter()
            .map(|r| Region {
                id: r.id,
                name: r.name,
            })
            .collect())
    }

    async fn create_package(&self, package: &PackageRequest) -> UpstreamResult<PackageInfo> {
        let outcome = self
            .create_package_idempotent(&new_package(package))
            .await?;
        let adopted = matches!(outcome, shaq_client::CreateOutcome::AlreadyExisted(_));
        let created = outcome.package();
        Ok(PackageInfo {
            tracking_number: created.tracking_number.clone(),
            status: created.status.as_str().to_owned(),
            adopted,
        })
    }

    async fn update_package(&self, package: &PackageRequest) -> UpstreamResult<()> {
        let full = new_package(package);
        let update = PackageUpdate {
            customer_name: Some(full.customer_name),
            customer_phone_1: Some(full.customer_phone_1),
            region_id: full.region_id,
            destination_region: full.destination_region,
            destination_city: Some(full.destination_city),
            destination_address_line_1: Some(full.destination_address_line_1),
            destination_address_line_2: full.destination_address_line_2,
            description: Some(full.description),
            units: Some(full.units),
            value: Some(full.value),
            amount_to_collect: Some(full.amount_to_collect),
            items: Some(full.items),
            special_instructions: full.special_instructions,
        };
        ShaqClient::update_package(self, &package.partner_ref, &update).await?;
        Ok(())
    }

    async fn find_package(&self, partner_ref: &str) -> UpstreamResult<Option<PackageInfo>> {
        Ok(ShaqClient::find_package(self, partner_ref)
            .await?
            .map(|p| PackageInfo {
                tracking_number: p.tracking_number,
                status: p.status.as_str().to_owned(),
                adopted: true,
            }))
    }

    async fn delete_package(&self, partner_ref: &str) -> UpstreamResult<()> {
        Ok(ShaqClient::delete_package(self, partner_ref).await?)
    }

    async fn cancel_order(&self, partner_ref: &str, _tracking_number: &str) -> UpstreamResult<()> {
        Ok(ShaqClient::cancel_order(self, partner_ref).await?)
    }

    async fn track(&self, tracking_number: &str) -> UpstreamResult<Vec<TrackingStep>> {
        let tracking = ShaqClient::track(self, tracking_number).await?;
        Ok(tracking
            .tracking
            .into_iter()
            .filter_map(|step| {
                Some(TrackingStep {
                    status: step.status.as_str().to_owned(),
                    description: step.description,
                    at: step.date?,
                })
            })
            .collect())
    }

    async fn label(&self, partner_ref: &str) -> UpstreamResult<Label> {
        Ok(match ShaqClient::label(self, partner_ref).await? {
            shaq_client::LabelOutcome::Ready(url) => Label::Ready(url),
            shaq_client::LabelOutcome::NotReady => Label::NotReady,
        })
    }
}

#[async_trait]
impl Ticketing for DigishareClient {
    async fn find_ticket(&self, external_id: &str) -> UpstreamResult<Option<TicketInfo>> {
        Ok(self
            .find_ticket_by_external_id(external_id)
            .await?
            .map(|t| TicketInfo {
                id: t.id,
                status_id: t.ticket_status_id,
            }))
    }

    async fn create_ticket(&self, ticket: &TicketRequest) -> UpstreamResult<TicketInfo> {
        let third = Third {
            ext_ref: Some(ticket.third.ext_ref.clone()),
            name: Some(ticket.third.name.clone()),
            wa_id: Some(ticket.third.wa_id.clone()),
            email: ticket.third.email.clone(),
            id: None,
        };
        let mut request = NewTicket::new(
            &ticket.external_id,
            &ticket.type_ticket_id,
            &ticket.ticket_status_id,
            &ticket.subject,
        )
        .third(&third)
        .campaign_data(ticket.campaign_data.clone());
        request.lang = Some(ticket.lang.clone());
        let created = DigishareClient::create_ticket(self, &request).await?;
        Ok(TicketInfo {
            id: created.id,
            status_id: created.ticket_status_id,
        })
    }

    async fn upload_document(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> UpstreamResult<serde_json::Value> {
        let media = self
            .upload_media(&digishare_client::MediaUpload {
                bytes,
                file_name: file_name.to_owned(),
                extension: "pdf".to_owned(),
                mime_type: "application/pdf".to_owned(),
            })
            .await?;
        Ok(serde_json::json!({ "provider": media.provider, "id": media.id }))
    }

    async fn update_ticket(
        &self,
        ticket_id: &str,
        status_id: Option<&str>,
        campaign_data: &serde_json::Map<String, serde_json::Value>,
    ) -> UpstreamResult<()> {
        let mut information = serde_json::Map::new();
        information.insert(
            "campaign_data".to_owned(),
            serde_json::Value::Object(campaign_data.clone()),
        );
        let update = TicketUpdate {
            ticket_status_id: status_id.map(str::to_owned),
            note: None,
            information: Some(information),
        };
        DigishareClient::update_ticket(self, ticket_id, &update).await?;
        Ok(())
    }
}
